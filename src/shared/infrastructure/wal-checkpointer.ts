import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointerOptions {
  /** How often the thread looks for commits to move into the database file (ms). */
  intervalMs?: number;
  /**
   * The connection's own checkpoints, kept as a backstop: its WAL passes this many pages only
   * when the thread falls behind or has stopped.
   */
  backstopPages?: number;
  /** Told once if the thread stops on an error; the connection then checkpoints as SQLite does. */
  onFailure?: (message: string) => void;
}

/** SQLite's own threshold (pages), which the connection goes back to when the thread fails. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/**
 * Moves a WAL database's committed pages into the database file on a thread of its own. Left to
 * SQLite, the commit that takes the WAL past 1,000 pages does it, on the event loop: it copies the
 * pages and waits for two fsyncs (the WAL's before, the database file's after) while no request
 * is served. Here a second connection, on the thread, checkpoints whenever another connection has
 * committed since it last looked; its checkpoints sync both files as SQLite's own do, which is what
 * WalDurability relies on. A PASSIVE checkpoint waits on no reader or writer, so the event loop's
 * connection goes on reading and committing meanwhile.
 *
 * The thread's code is a string (run with `eval`) so that it runs the same from the compiled
 * service, under ts-node and under jest, with no file of its own to build or find.
 */
export class WalCheckpointer {
  private readonly exited: Promise<void>;
  private failed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly worker: Worker,
    private readonly onFailure: (message: string) => void,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: ThreadReport) => this.fail(message.failed));
    worker.on('error', (error) => this.fail(error.message));
  }

  /** Starts the thread for `db`, a file database in WAL mode, and raises its own threshold. */
  static start(db: Database.Database, options: WalCheckpointerOptions = {}): WalCheckpointer {
    if (db.memory) throw new Error('An in-memory database has no WAL to checkpoint');
    db.pragma(`wal_autocheckpoint = ${options.backstopPages ?? 10_000}`);
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        // Resolved here: an eval'd thread would resolve a bare name from the working directory.
        driver: require.resolve('better-sqlite3'),
        file: db.name,
        intervalMs: options.intervalMs ?? 100,
      } satisfies ThreadData,
    });
    // Never what keeps the process alive: the connection checkpoints when it closes anyway.
    worker.unref();
    return new WalCheckpointer(db, worker, options.onFailure ?? (() => undefined));
  }

  /** Stops the thread and closes its connection; call it before closing the database. */
  async stop(): Promise<void> {
    // Referenced again: with nothing else left to do, the process would otherwise exit while waiting.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }

  private fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    this.onFailure(`Background WAL checkpoints of ${this.db.name} stopped: ${message}`);
  }
}

interface ThreadData {
  driver: string;
  file: string;
  intervalMs: number;
}

interface ThreadReport {
  failed: string;
}

/**
 * The thread: checkpoints (PASSIVE) when `data_version` says another connection committed, or
 * when its last checkpoint could not move everything (a reader still held older pages). On any
 * error it reports and stops; on 'stop' it closes its connection, and the thread ends.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
let timer;
const stop = () => {
  clearInterval(timer);
  try { db?.close(); } catch {}
  parentPort.close();
};
const fail = (error) => {
  parentPort.postMessage({ failed: error instanceof Error ? error.message : String(error) });
  stop();
};
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('synchronous = FULL');
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  let seen = dataVersion.get();
  let behind = true;
  timer = setInterval(() => {
    try {
      const version = dataVersion.get();
      if (version === seen && !behind) return;
      seen = version;
      const { busy, log, checkpointed } = checkpoint.get();
      behind = busy !== 0 || checkpointed < log;
    } catch (error) {
      fail(error);
    }
  }, workerData.intervalMs);
  parentPort.on('message', (message) => {
    if (message === 'stop') stop();
  });
} catch (error) {
  fail(error);
}
`;
