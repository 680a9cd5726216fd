import type { ReadModelSchema } from '../../read-model/read-model-schema';

/** Every Idempotency-Key use found in event metadata: who used it, for which stream and revisions. */
export const IDEMPOTENCY_SCHEMA: ReadModelSchema = {
  name: 'idempotency',
  version: 1,
  tables: ['idempotency'],
  ddl: `
    CREATE TABLE IF NOT EXISTS idempotency (
      actor_party TEXT NOT NULL,
      actor_person TEXT NOT NULL,
      key TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      stream_id TEXT NOT NULL,
      first_revision INTEGER NOT NULL,
      last_revision INTEGER NOT NULL,
      position INTEGER NOT NULL,
      PRIMARY KEY (actor_party, actor_person, key)
    );`,
};
