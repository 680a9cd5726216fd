import type { ReadModelSchema } from '../../read-model/read-model-schema';

export const PARTIES_SCHEMA: ReadModelSchema = {
  name: 'parties',
  version: 1,
  tables: ['parties'],
  ddl: `
    CREATE TABLE IF NOT EXISTS parties (
      party_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, registered_at TEXT NOT NULL
    );`,
};
