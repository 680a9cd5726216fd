import Database from 'better-sqlite3';
import type { KeyObject } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import type { EventStore, ReadAllOptions } from '../event-store/event-store.port';
import { hasTable, readCheckpoint, type ReadModelCheckpoint } from './read-model.database';
import { isSnapshot, SNAPSHOT_MARK } from './read-model-snapshot';
import {
  checkSnapshotSignature,
  claimsCheckpoint,
  signatureFileOf,
  type SnapshotClaims,
} from './snapshot-signature';

/** The read_model_meta row of a seeded read model: which snapshot it started from (JSON). */
export const SEEDED_FROM = 'seeded-from';

export interface SeedLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** What became of the seed: copied in, or why the instance starts from its own read model or from the store. */
export type SeedOutcome =
  | { seeded: true; checkpoint: ReadModelCheckpoint }
  | { seeded: false; reason: 'has-own' | 'no-seed' | 'refused' };

/**
 * Starts an instance that has no read model of its own from a copy of another instance's
 * (`npm run read-model-snapshot`), so it replays only the events after the copy's checkpoint
 * instead of the whole store: minutes of catch-up become the time to copy a file.
 *
 * The copy is used only when its signature (`<seed>.jws`, made by the snapshot command) verifies
 * with one of `publicKeys` and covers exactly the copied bytes, and when the event at its
 * checkpoint is in this instance's store, at the same position with the same id. Anything else is refused and the
 * instance replays its store from the start, as it would without a seed: a snapshot edited where
 * it was kept (it decides what bundles say, and the audit log's tamper check compares only its
 * tree with the store), signed with another key, or of another store (another environment, a
 * store restored from an older backup). The signature is read before the snapshot is copied, and
 * checked on the copy, the file that is then used.
 *
 * An instance whose read model has a checkpoint keeps it, seed or not. A crash during the copy
 * leaves only `<target>.seeding`, which the next start overwrites. A store that cannot be read
 * fails the start (StoreUnreachable) rather than the seed.
 */
export async function seedReadModel(options: {
  target: string;
  seed: string | undefined;
  /** The public keys the snapshots' signatures are checked with (READ_MODEL_SEED_PUBLIC_KEY_FILE). */
  publicKeys: readonly KeyObject[];
  store: Pick<EventStore, 'readAll'>;
  logger: SeedLogger;
  /** How the snapshot is copied (tests replace the snapshot while it is copied). */
  copyFile?: (from: string, to: string) => void | Promise<void>;
}): Promise<SeedOutcome> {
  const { target, seed, publicKeys, store, logger } = options;
  if (!seed) return { seeded: false, reason: 'no-seed' };
  if (existsSync(target) && checkpointOf(target) !== undefined)
    return { seeded: false, reason: 'has-own' };
  const refuse = (why: string): SeedOutcome => {
    logger.warn(
      `Read-model seed ${seed} not used: ${why}; replaying the event store from the start`,
    );
    return { seeded: false, reason: 'refused' };
  };
  if (!existsSync(seed)) return refuse('no such file');
  if (publicKeys.length === 0) return refuse('no public key to check its signature with');

  const copy = `${target}.seeding`;
  try {
    const claims = await signedCopy(
      seed,
      copy,
      publicKeys,
      options.copyFile ?? copyFileSync,
      logger,
    );
    if (typeof claims === 'string') {
      removeDatabase(copy);
      return refuse(claims);
    }
    const checkpoint = await verified(copy, store, seed, claims);
    if (typeof checkpoint === 'string') {
      removeDatabase(copy);
      return refuse(checkpoint);
    }
    // What an instance that never applied an event left (an empty file, its WAL) goes first.
    removeDatabase(target);
    renameSync(copy, target);
    logger.log(
      `Read model seeded from ${seed} at position ${checkpoint.position}; replaying the events after it`,
    );
    return { seeded: true, checkpoint };
  } catch (error) {
    removeDatabase(copy);
    // Replaying millions of events because the store was briefly away would be the worse outcome:
    // the start fails, and the next one (the orchestrator restarts it) checks the seed again.
    if (error instanceof StoreUnreachable) throw error;
    return refuse(messageOf(error));
  }
}

/** Copies of a snapshot replaced while it was copied, before the seed is refused. */
const COPY_ATTEMPTS = 3;
/** The snapshot command renames the signature right after the snapshot: time enough for it. */
const REPLACEMENT_SETTLE_MS = 100;

/**
 * Reads the signature, copies the snapshot and checks the copy against it: the claims, or why the
 * copy fails its check. The snapshot command renames the new snapshot into place, then its
 * signature, so an instance whose two reads fall between those renames holds a snapshot and the
 * signature of another. A refusal is therefore made again from a new copy when the snapshot or its
 * signature changed since they were read (a replacement under way), up to COPY_ATTEMPTS copies in
 * all; a pair that stays mismatched (the command stopped between its renames) is refused.
 */
async function signedCopy(
  seed: string,
  copy: string,
  publicKeys: readonly KeyObject[],
  copyFile: (from: string, to: string) => void | Promise<void>,
  logger: SeedLogger,
): Promise<SnapshotClaims | string> {
  for (let attempt = 1; ; attempt++) {
    removeDatabase(copy);
    const inode = inodeOf(seed);
    const signature = readSignature(seed);
    await copyFile(seed, copy);
    const claims = await checkSnapshotSignature(copy, signature, publicKeys);
    if (typeof claims !== 'string') return claims;
    const replaced = inodeOf(seed) !== inode || readSignature(seed) !== signature;
    if (!replaced || attempt === COPY_ATTEMPTS) return claims;
    logger.log(`Read-model seed ${seed} was replaced while it was copied; copying it again`);
    await setTimeout(REPLACEMENT_SETTLE_MS);
  }
}

/** The file's inode: a snapshot renamed into place has another. Undefined when it is gone. */
function inodeOf(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.ino;
}

/** The store could not be read to check a seed against it. */
export class StoreUnreachable extends Error {
  constructor(cause: unknown) {
    super(`Cannot check the read-model seed against the event store: ${messageOf(cause)}`, {
      cause,
    });
    this.name = 'StoreUnreachable';
  }
}

/** The signature beside a snapshot; undefined when there is none. */
function readSignature(seed: string): string | undefined {
  const file = signatureFileOf(seed);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/**
 * A copied seed's checkpoint, named by its signature and found in the store (the copy then no
 * longer marked as a snapshot, and marked with where it came from); or why it cannot be used.
 */
async function verified(
  copy: string,
  store: Pick<EventStore, 'readAll'>,
  seed: string,
  claims: SnapshotClaims,
): Promise<ReadModelCheckpoint | string> {
  const db = new Database(copy, { fileMustExist: true });
  try {
    if (!isSnapshot(db))
      // A read-model file copied as it was being written may hold half a WAL checkpoint.
      return 'it was not made by `npm run read-model-snapshot`';
    const checkpoint = readCheckpoint(db);
    if (!checkpoint) return 'it holds no checkpoint (no event was applied to it)';
    if (!checkpoint.eventId)
      return 'its checkpoint does not name its event (made by an older version)';
    if (!claimsCheckpoint(claims, checkpoint))
      return `its checkpoint is not the one its signature names (position ${claims.position})`;
    const [event] = await store.readAll(atPosition(checkpoint.position)).catch((error: unknown) => {
      throw new StoreUnreachable(error);
    });
    if (event?.position !== checkpoint.position || event.id !== checkpoint.eventId)
      return `its checkpoint (event ${checkpoint.eventId} at position ${checkpoint.position}) is not in this event store`;
    db.prepare('DELETE FROM read_model_meta WHERE key = ?').run(SNAPSHOT_MARK);
    db.prepare('INSERT OR REPLACE INTO read_model_meta (key, value) VALUES (?, ?)').run(
      SEEDED_FROM,
      JSON.stringify({
        snapshot: seed,
        madeAt: claims.madeAt,
        sha256: claims.sha256,
        seededAt: new Date().toISOString(),
      }),
    );
    return checkpoint;
  } finally {
    db.close();
  }
}

/** The checkpoint of a read-model file; undefined when it has none (or is no read model). */
function checkpointOf(file: string): ReadModelCheckpoint | undefined {
  // Read-write: a read model's last batches may be in its WAL, which a read-only open may not replay.
  const db = new Database(file, { fileMustExist: true });
  try {
    return hasTable(db, 'checkpoint') ? readCheckpoint(db) : undefined;
  } finally {
    db.close();
  }
}

/** The read of the first event at or after `position` (positions are unique; `after` is exclusive). */
function atPosition(position: bigint): ReadAllOptions {
  return { after: position > 0n ? position - 1n : undefined, maxCount: 1 };
}

/** An error's message; by shape, not `instanceof`, as a native module's errors may come from another realm. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(`${file}${suffix}`, { force: true });
}

/**
 * Gives a checkpoint written before it named its event (an instance upgraded from such a
 * version) the id of the event at its position, so a snapshot of it can seed other instances
 * before another event arrives. Best effort: without the store the next batch names it anyway.
 */
export async function nameCheckpointEvent(
  db: Database.Database,
  store: Pick<EventStore, 'readAll'>,
): Promise<void> {
  const checkpoint = readCheckpoint(db);
  if (!checkpoint || checkpoint.eventId) return;
  try {
    const [event] = await store.readAll(atPosition(checkpoint.position));
    if (event?.position === checkpoint.position)
      db.prepare('UPDATE checkpoint SET event_id = ? WHERE id = 1 AND position = ?').run(
        event.id,
        checkpoint.position,
      );
  } catch {
    // The store is away: the runner's first batch names the event when it moves the checkpoint.
  }
}
