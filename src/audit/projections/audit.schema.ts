import type { ReadModelSchema } from '../../read-model/read-model-schema';

/**
 * One row per event of the store, so the table is sized by history, not by fleet: a row locates
 * its event (position, stream, revision) and keeps only what the audit view selects by: who acted
 * and when. Everything else of an entry (event id, type, role, reason, request, policy version,
 * data) is the event's own, read from the store with it. The instant is its epoch milliseconds
 * (shared/infrastructure/compact-columns.ts), which the `from`/`to` filters compare; an instant the
 * service did not write with `toISOString` would stay text, which SQLite orders after every number.
 * Version 4: the columns the store already holds are gone.
 */
export const AUDIT_SCHEMA: ReadModelSchema = {
  name: 'audit',
  version: 4,
  tables: ['audit'],
  ddl: `
    CREATE TABLE IF NOT EXISTS audit (
      position INTEGER PRIMARY KEY,
      stream_id TEXT NOT NULL,
      revision INTEGER NOT NULL,
      actor_person TEXT NOT NULL,
      actor_party TEXT NOT NULL,
      occurred_at NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audit_by_stream ON audit (stream_id, position);
    CREATE INDEX IF NOT EXISTS audit_by_party ON audit (actor_party, occurred_at, position);
    CREATE INDEX IF NOT EXISTS audit_by_person ON audit (actor_person, occurred_at, position);`,
};
