import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalCheckpointer } from './wal-checkpointer';

const MIB = 1024 * 1024;

describe('WalCheckpointer', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
    file = join(dir, 'data.db');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
  });

  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (mebibytes: number) => {
    const row = db.prepare('INSERT INTO blobs (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < mebibytes * 16; i++) row.run(Buffer.alloc(64 * 1024, i));
    })();
  };

  it('moves committed pages into the database file while the connection never checkpoints', async () => {
    // The connection's own threshold out of reach: only the thread can move the pages.
    const checkpointer = WalCheckpointer.start(db, { intervalMs: 10, backstopPages: 1_000_000 });
    const before = statSync(file).size;
    insert(2);
    expect(statSync(file).size).toBe(before);

    await until(() => statSync(file).size >= 2 * MIB);
    await checkpointer.stop();
  });

  it('keeps the WAL to a few transactions, not all that is written', async () => {
    const checkpointer = WalCheckpointer.start(db, { intervalMs: 10, backstopPages: 1_000_000 });
    for (let written = 1; written <= 16; written++) {
      insert(1);
      // Checkpointed through this transaction: a later commit starts the WAL over (the first one
      // that finds no reader in it: the thread reads too).
      await until(() => statSync(file).size >= written * MIB);
    }
    expect(statSync(`${file}-wal`).size).toBeLessThan(6 * MIB);
    await checkpointer.stop();
  });

  it('raises the connection threshold to the backstop while it runs', async () => {
    const checkpointer = WalCheckpointer.start(db, { backstopPages: 5000 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(5000);
    await checkpointer.stop();
  });

  it('closes its connection when stopped: the last connection to close removes the WAL', async () => {
    const checkpointer = WalCheckpointer.start(db, { intervalMs: 10 });
    insert(1);
    await until(() => statSync(file).size >= MIB);
    await checkpointer.stop();
    db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('reports a thread that cannot open the database once, and gives the connection its checkpoints back', async () => {
    const failures: string[] = [];
    unlinkSync(file);
    const checkpointer = WalCheckpointer.start(db, {
      backstopPages: 50_000,
      onFailure: (message) => failures.push(message),
    });
    await until(() => failures.length > 0);
    await checkpointer.stop();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(file);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('keeps the process alive until it has stopped, though it never keeps it alive otherwise', () => {
    // Jest keeps its own event loop busy: a process of its own shows whether `stop` is waited for.
    const script = [
      "const Database = require('better-sqlite3');",
      "const { WalCheckpointer } = require('./src/shared/infrastructure/wal-checkpointer');",
      `const db = new Database(${JSON.stringify(file)});`,
      'const checkpointer = WalCheckpointer.start(db);',
      "checkpointer.stop().then(() => { db.close(); process.stdout.write('stopped'); });",
    ].join('\n');
    const run = spawnSync(
      process.execPath,
      ['--require', 'ts-node/register/transpile-only', '--eval', script],
      { cwd: join(__dirname, '../../..'), encoding: 'utf8', timeout: 30_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('stopped');
    expect(run.status).toBe(0);
  });

  it('refuses an in-memory database, which has no WAL', () => {
    const memory = new Database(':memory:');
    expect(() => WalCheckpointer.start(memory)).toThrow(/in-memory/);
    memory.close();
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
