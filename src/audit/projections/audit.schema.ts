import type { ReadModelSchema } from '../../read-model/read-model-schema';

export const AUDIT_SCHEMA: ReadModelSchema = {
  name: 'audit',
  version: 2,
  tables: ['audit'],
  ddl: `
    CREATE TABLE IF NOT EXISTS audit (
      position INTEGER PRIMARY KEY,
      event_id TEXT NOT NULL,
      stream_id TEXT NOT NULL,
      subject TEXT NOT NULL,
      revision INTEGER NOT NULL,
      type TEXT NOT NULL,
      actor_person TEXT NOT NULL,
      actor_party TEXT NOT NULL,
      actor_role TEXT NOT NULL,
      occurred_at TEXT NOT NULL,
      reason TEXT,
      request_id TEXT NOT NULL,
      policy_version INTEGER
    );
    CREATE INDEX IF NOT EXISTS audit_by_stream ON audit (stream_id, position);
    CREATE INDEX IF NOT EXISTS audit_by_party ON audit (actor_party, occurred_at, position);
    CREATE INDEX IF NOT EXISTS audit_by_person ON audit (actor_person, occurred_at, position);`,
};
