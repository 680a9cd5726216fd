import type Database from 'better-sqlite3';

/**
 * The tables one context keeps in the read model. The context owns them; the read model only
 * creates them, and empties them when it rebuilds.
 */
export interface ReadModelSchema {
  /** Unique per context, e.g. 'batteries'. */
  name: string;
  /** Bump when the tables or their meaning change: the read model is then rebuilt from the store. */
  version: number;
  /** CREATE TABLE / INDEX statements (IF NOT EXISTS). */
  ddl: string;
  /** Every table the ddl creates, emptied on a rebuild and dropped on a new version. */
  tables: readonly string[];
}

/**
 * Creates a schema's tables, or re-creates them when the stored version differs (a read model
 * written by another version of the service). Answers whether it had to: the read model must
 * then be replayed from the start of the store.
 */
export function installSchema(db: Database.Database, schema: ReadModelSchema): boolean {
  const key = `schema:${schema.name}`;
  const stored = db
    .prepare<[string], { value: string }>('SELECT value FROM read_model_meta WHERE key = ?')
    .get(key);
  const current = stored?.value === String(schema.version);
  db.transaction(() => {
    if (!current) for (const table of schema.tables) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.exec(schema.ddl);
    db.prepare('INSERT OR REPLACE INTO read_model_meta (key, value) VALUES (?, ?)').run(
      key,
      String(schema.version),
    );
  })();
  return !current;
}

/**
 * Drops a schema's tables and forgets its version, for a context switched off by configuration.
 * Its projection misses every event while it is off, so its tables would lag behind the shared
 * checkpoint for good; forgotten, the schema is "new" when the context comes back, and the read
 * model is replayed from the start of the store (see installSchema) instead of resuming with a gap.
 */
export function retireSchema(db: Database.Database, schema: ReadModelSchema): void {
  db.transaction(() => {
    for (const table of schema.tables) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.prepare('DELETE FROM read_model_meta WHERE key = ?').run(`schema:${schema.name}`);
  })();
}
