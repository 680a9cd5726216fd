import Database from 'better-sqlite3';
import type { KeyObject } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hasTable, readCheckpoint, type ReadModelCheckpoint } from './read-model.database';
import { signatureFileOf, signSnapshot } from './snapshot-signature';

/** The read_model_meta row that makes a file a seed (read-model-seed.ts), gone once it seeded an instance. */
export const SNAPSHOT_MARK = 'snapshot';

export interface ReadModelSnapshot {
  checkpoint: ReadModelCheckpoint;
  bytes: number;
  /** The detached signature's file (snapshot-signature.ts). */
  signatureFile: string;
}

/**
 * A consistent copy of a read model (SQLite's `VACUUM INTO`, one read transaction: a running
 * instance goes on writing meanwhile, and the copy holds exactly what it had committed when the
 * copy began), marked as a snapshot, signed with `signingKey` (its SHA-256 and checkpoint, in
 * `<target>.jws`), written next to `target` and renamed onto it, so a reader of `target` sees the
 * old snapshot or the new one, never half of one. The signature is renamed into place right after
 * the snapshot: a seed read in between is refused as not the signed file, never trusted.
 */
export async function snapshotReadModel(
  source: string,
  target: string,
  signingKey: KeyObject,
): Promise<ReadModelSnapshot> {
  if (!existsSync(source)) throw new Error(`No read model at ${source}`);
  const partial = `${target}.partial`;
  const signatureFile = signatureFileOf(target);
  const partialSignature = `${signatureFile}.partial`;
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
  const signed = { position: checkpoint.position, eventId: checkpoint.eventId };
  try {
    writeFileSync(partialSignature, `${await signSnapshot(partial, signed, signingKey)}\n`);
  } catch (error) {
    rmSync(partial, { force: true });
    rmSync(partialSignature, { force: true });
    throw error;
  }
  renameSync(partial, target);
  renameSync(partialSignature, signatureFile);
  return { checkpoint, bytes: statSync(target).size, signatureFile };
}

/** Whether a read-model database is a snapshot made by snapshotReadModel. */
export function isSnapshot(db: Database.Database): boolean {
  return (
    hasTable(db, 'read_model_meta') &&
    db.prepare('SELECT 1 FROM read_model_meta WHERE key = ?').get(SNAPSHOT_MARK) !== undefined
  );
}
