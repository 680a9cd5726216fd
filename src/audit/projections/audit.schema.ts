import type { ReadModelSchema } from '../../read-model/read-model-schema';

/**
 * One row per event of the store, so the table is sized by history, not by fleet: a row locates
 * its event (position, stream, revision) and keeps only what the audit view selects by: who acted
 * and when. Everything else of an entry (event id, type, role, reason, request, policy version,
 * data) is the event's own, read from the store with it. The instant is its epoch milliseconds
 * (shared/infrastructure/compact-columns.ts), which the `from`/`to` filters compare; an instant the
 * service did not write with `toISOString` would stay text, which SQLite orders after every number.
 * Version 4: the columns the store already holds are gone.
 * Version 5:
 * - stream, person and party ids are numbers of `audit_names` (InternedNames): a history of millions
 *   of events repeats a few thousand names, in the rows and again in the indexes;
 * - each index is one column, and SQLite orders equal keys by position (the rowid, which an index
 *   keeps anyway): "this party's acts after position p" is a seek, not a sort of all of them;
 * - `audit_hours` bounds the positions of each hour's events (AuditHours), so a time filter
 *   becomes a position range of those indexes.
 */
export const AUDIT_SCHEMA: ReadModelSchema = {
  name: 'audit',
  version: 5,
  tables: ['audit', 'audit_names', 'audit_hours'],
  ddl: `
    CREATE TABLE IF NOT EXISTS audit_names (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS audit (
      position INTEGER PRIMARY KEY,
      stream INTEGER NOT NULL,
      revision INTEGER NOT NULL,
      actor_person INTEGER NOT NULL,
      actor_party INTEGER NOT NULL,
      occurred_at NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audit_by_stream ON audit (stream);
    CREATE INDEX IF NOT EXISTS audit_by_party ON audit (actor_party);
    CREATE INDEX IF NOT EXISTS audit_by_person ON audit (actor_person);
    -- The first and last position of the events that occurred in each hour (epoch milliseconds
    -- divided by 3,600,000; an instant kept as text is in the hour after every other).
    CREATE TABLE IF NOT EXISTS audit_hours (
      hour INTEGER PRIMARY KEY,
      first_position INTEGER NOT NULL,
      last_position INTEGER NOT NULL
    );`,
};
