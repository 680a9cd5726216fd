import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, DataDirLock, HOLDER_FILE } from './data-dir-lock';

/**
 * Another process that claims `dir` with this very module, drops its reference to the lock and
 * collects garbage (a finalized connection would give the directory up), says "held" and waits
 * to be killed.
 */
async function holderProcess(dir: string) {
  const code = `require(${JSON.stringify(join(__dirname, 'data-dir-lock'))}).DataDirLock.acquire(${JSON.stringify(dir)}); global.gc(); global.gc(); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(
    process.execPath,
    ['--expose-gc', '-r', 'ts-node/register/transpile-only', '-e', code],
    {
      cwd: join(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  expect(chunk.toString().trim()).toBe('held');
  return child;
}

describe('DataDirLock: one instance per data directory', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'battery-keys-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second claim in the same process, naming the directory and the holder, until the first is released', () => {
    const first = DataDirLock.acquire(dir);
    expect(readFileSync(join(dir, HOLDER_FILE), 'utf8').trim()).toBe(String(process.pid));
    let refusal: unknown;
    try {
      DataDirLock.acquire(dir);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirInUseError);
    expect((refusal as Error).message).toBe(
      `DATA_DIR ${dir} is in use by another instance (pid ${process.pid}); stop it or use another DATA_DIR`,
    );
    expect(() => DataDirLock.assertAvailable(dir)).toThrow(DataDirInUseError);

    first.release();
    first.release();
    expect(existsSync(join(dir, HOLDER_FILE))).toBe(false);
    expect(() => DataDirLock.assertAvailable(dir)).not.toThrow();
    DataDirLock.acquire(dir).release();
  });

  it('creates a missing directory, and reports a directory it cannot create as it is', () => {
    DataDirLock.acquire(join(dir, 'nested', 'data')).release();
    expect(() => DataDirLock.acquire('/dev/null/not-a-directory')).toThrow(/ENOTDIR/);
  });

  it('is held by another process until that process is killed with -9, then free at once', async () => {
    const holder = await holderProcess(dir);
    try {
      expect(() => DataDirLock.acquire(dir)).toThrow(
        `DATA_DIR ${dir} is in use by another instance (pid ${holder.pid}); stop it or use another DATA_DIR`,
      );
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    // No waiting, no staleness rule: the kernel dropped the lock with the process.
    const lock = DataDirLock.acquire(dir);
    expect(readFileSync(join(dir, HOLDER_FILE), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  }, 30_000);
});
