import Database from 'better-sqlite3';

/**
 * What the read model itself keeps: schema versions and the one checkpoint of all projections,
 * with the id of the event at it, so a copy of the read model says which store it was made from
 * (read-model-seed.ts checks it against the store before an instance starts from the copy).
 */
const CORE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_model_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL,
    event_id TEXT
  );
`;

/** Where the projections stand: the last event applied, by position and id. */
export interface ReadModelCheckpoint {
  position: bigint;
  /** Absent in a read model whose last batch was applied by a version before the id was kept. */
  eventId: string | undefined;
}

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
  // A read model from before the checkpoint kept its event's id: the column comes with the next batch.
  const columns = db.pragma('table_info(checkpoint)') as { name: string }[];
  if (!columns.some((column) => column.name === 'event_id'))
    db.exec('ALTER TABLE checkpoint ADD COLUMN event_id TEXT');
  return db;
}

/** The checkpoint of a read-model database, or undefined when no event was ever applied to it. */
export function readCheckpoint(db: Database.Database): ReadModelCheckpoint | undefined {
  const row = db
    .prepare<[], { position: number | bigint; event_id: string | null }>(
      'SELECT * FROM checkpoint WHERE id = 1',
    )
    .safeIntegers()
    .get();
  if (!row) return undefined;
  return { position: BigInt(row.position), eventId: row.event_id ?? undefined };
}

/** Whether a database has a table of that name (a file that is no read model has none of ours). */
export function hasTable(db: Database.Database, name: string): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined
  );
}

export const READ_MODEL_DB = Symbol('ReadModelDatabase');
