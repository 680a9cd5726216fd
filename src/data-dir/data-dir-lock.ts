import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file whose lock is the instance's claim on the directory, and the note naming the holder. */
export const LOCK_FILE = 'instance.lock';
export const HOLDER_FILE = 'instance.pid';

/** Another instance holds the data directory; this one must not start on it. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | undefined,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by another instance (${holderPid === undefined ? 'pid unknown' : `pid ${holderPid}`}); stop it or use another DATA_DIR`,
    );
    this.name = 'DataDirInUseError';
  }
}

/** DATA_DIR is not a directory this process can use: one line naming it and why. */
export class DataDirUnusableError extends Error {
  constructor(
    readonly dataDir: string,
    why: string,
  ) {
    super(`DATA_DIR ${dataDir} ${why}; point DATA_DIR at a writable directory`);
    this.name = 'DataDirUnusableError';
  }
}

/**
 * One instance per data directory. Two on one DATA_DIR apply every event twice to one read model
 * (UNIQUE constraint failures, `database is locked`, a projection that stops for good) and race to
 * create key files. The claim is an OS lock, not a marker file: an exclusive SQLite transaction
 * on `instance.lock`, held open for the instance's life. The kernel drops it when the process
 * dies, however it dies (kill -9 included), so a restart never waits on a stale claim; a second
 * connection, in another process or in this one, gets SQLITE_BUSY at once. `instance.pid` only
 * names the holder in the refusal.
 */
export class DataDirLock {
  private static readonly heldLocks = new Set<DataDirLock>();

  private constructor(
    readonly dataDir: string,
    private connection: Database.Database | undefined,
  ) {}

  /** Claims the directory (creating it if needed) or throws DataDirInUseError naming the holder. */
  static acquire(dataDir: string): DataDirLock {
    makeDirectory(dataDir);
    let connection: Database.Database;
    try {
      connection = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
    } catch (error) {
      throw new DataDirUnusableError(dataDir, `is not writable (${codeOf(error)})`);
    }
    try {
      // No journal file: nothing is ever written, and a kill -9 then leaves nothing behind.
      connection.pragma('journal_mode = MEMORY');
      connection.pragma('locking_mode = EXCLUSIVE');
      connection.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      connection.close();
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY')
        throw new DataDirInUseError(dataDir, holderPid(dataDir));
      throw error;
    }
    writeFileSync(join(dataDir, HOLDER_FILE), `${process.pid}\n`);
    const lock = new DataDirLock(dataDir, connection);
    // Held until released, whoever keeps the object: a connection the garbage collector
    // finalizes would give the directory up while this instance still runs.
    DataDirLock.heldLocks.add(lock);
    return lock;
  }

  /**
   * Refuses at once, before anything else starts, when another instance holds the directory (the
   * clean one-line refusal of a second `npm start`); the claim itself is taken again by the app.
   */
  static assertAvailable(dataDir: string): void {
    DataDirLock.acquire(dataDir).release();
  }

  get held(): boolean {
    return this.connection !== undefined;
  }

  /** Gives the directory up; idempotent. The holder note goes first, while the claim still stands. */
  release(): void {
    const connection = this.connection;
    if (!connection) return;
    this.connection = undefined;
    DataDirLock.heldLocks.delete(this);
    if (holderPid(this.dataDir) === process.pid)
      rmSync(join(this.dataDir, HOLDER_FILE), { force: true });
    connection.close();
  }
}

/** Creates DATA_DIR if missing; a file in its place (or in its path) is refused by name. */
function makeDirectory(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST') throw new DataDirUnusableError(dataDir, 'is a file, not a directory');
    if (code === 'ENOTDIR')
      throw new DataDirUnusableError(
        dataDir,
        'cannot be created: its path runs through a file (ENOTDIR)',
      );
    throw new DataDirUnusableError(dataDir, `cannot be created (${code})`);
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : (error as Error).message;
}

function holderPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, HOLDER_FILE), 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
