import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { hasTable, readCheckpoint, type ReadModelCheckpoint } from './read-model.database';

/** The read_model_meta row that makes a file a seed (read-model-seed.ts), gone once it seeded an instance. */
export const SNAPSHOT_MARK = 'snapshot';

export interface ReadModelSnapshot {
  checkpoint: ReadModelCheckpoint;
  bytes: number;
}

/**
 * A consistent copy of a read model (SQLite's `VACUUM INTO`, one read transaction: a running
 * instance goes on writing meanwhile, and the copy holds exactly what it had committed when the
 * copy began), marked as a snapshot, written next to `target` and renamed onto it, so a reader
 * of `target` sees the old snapshot or the new one, never half of one.
 */
export function snapshotReadModel(source: string, target: string): ReadModelSnapshot {
  if (!existsSync(source)) throw new Error(`No read model at ${source}`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.prepare('VACUUM INTO ?').run(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  // The copy's own checkpoint, which is the one its tables describe.
  const copy = new Database(partial, { fileMustExist: true });
  let checkpoint: ReadModelCheckpoint | undefined;
  try {
    checkpoint = hasTable(copy, 'checkpoint') ? readCheckpoint(copy) : undefined;
    if (!checkpoint) throw new Error(`The read model at ${source} has applied no event yet`);
    if (!checkpoint.eventId)
      throw new Error(
        `The read model at ${source} does not name the event at its checkpoint yet (written by an older version): ` +
          'let the service apply one more event and make the snapshot again',
      );
    copy
      .prepare('INSERT OR REPLACE INTO read_model_meta (key, value) VALUES (?, ?)')
      .run(SNAPSHOT_MARK, JSON.stringify({ madeAt: new Date().toISOString(), from: source }));
  } catch (error) {
    copy.close();
    rmSync(partial, { force: true });
    throw error;
  }
  copy.close();
  renameSync(partial, target);
  return { checkpoint, bytes: statSync(target).size };
}

/** Whether a read-model database is a snapshot made by snapshotReadModel. */
export function isSnapshot(db: Database.Database): boolean {
  return (
    hasTable(db, 'read_model_meta') &&
    db.prepare('SELECT 1 FROM read_model_meta WHERE key = ?').get(SNAPSHOT_MARK) !== undefined
  );
}
