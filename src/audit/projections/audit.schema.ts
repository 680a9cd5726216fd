import type { ReadModelSchema } from '../../read-model/read-model-schema';

/**
 * One row per event of the store, so the table is sized by history, not by fleet: its columns
 * are compact (shared/infrastructure/compact-columns.ts). The event id is its 16 bytes, the
 * instant its epoch milliseconds (which the `from`/`to` filters compare; an instant the service
 * did not write with `toISOString` would stay text, which SQLite orders after every number), and
 * the event's data stays in the store.
 */
export const AUDIT_SCHEMA: ReadModelSchema = {
  name: 'audit',
  version: 3,
  tables: ['audit'],
  ddl: `
    CREATE TABLE IF NOT EXISTS audit (
      position INTEGER PRIMARY KEY,
      event_id NOT NULL,
      stream_id TEXT NOT NULL,
      revision INTEGER NOT NULL,
      type TEXT NOT NULL,
      actor_person TEXT NOT NULL,
      actor_party TEXT NOT NULL,
      actor_role TEXT NOT NULL,
      occurred_at NOT NULL,
      reason TEXT,
      request_id TEXT NOT NULL,
      policy_version INTEGER
    );
    CREATE INDEX IF NOT EXISTS audit_by_stream ON audit (stream_id, position);
    CREATE INDEX IF NOT EXISTS audit_by_party ON audit (actor_party, occurred_at, position);
    CREATE INDEX IF NOT EXISTS audit_by_person ON audit (actor_person, occurred_at, position);`,
};
