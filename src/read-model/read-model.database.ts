import Database from 'better-sqlite3';

/** What the read model itself keeps: schema versions and the one checkpoint of all projections. */
const CORE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_model_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
`;

/**
 * The local read model: one SQLite file per service instance, rebuildable from the event store at
 * any time. The contexts install their own tables (read-model-schema.ts); projections and the
 * checkpoint are written in one transaction, so an event is applied exactly once whatever crashes.
 */
export function openReadModelDatabase(filename: string): Database.Database {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  // Losing the last transactions on power loss is harmless here: the checkpoint goes back with
  // them and the events are read again from the store.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(CORE_SCHEMA);
  return db;
}

export const READ_MODEL_DB = Symbol('ReadModelDatabase');
