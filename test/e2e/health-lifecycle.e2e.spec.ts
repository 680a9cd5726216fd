import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadOrCreateLocalIssuerKey, mintToken } from '../../src/auth/local-token-issuer';
import { loadAppConfig } from '../../src/config/app-config';
import { createApp } from '../../src/create-app';
import { describeStore } from '../../src/health/startup-report';

const ROOT = join(__dirname, '..', '..');

interface LogLine {
  level: number;
  context?: string;
  msg: string;
  [field: string]: unknown;
}

const parseLines = (text: string): LogLine[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);

/** `npm run start:prod`, from the sources: src/main.ts in a child process, as an operator runs it. */
function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output, exited };
}

describe('start and stop', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'battery-keys-lifecycle-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('logs Nest’s module and route lines at debug, one start-up line at info once listening, one at shutdown', async () => {
    const lines: string[] = [];
    const env = { DATA_DIR: tempDir(), LOG_LEVEL: 'debug', PORT: '0' };
    const app = await createApp(env, { logDestination: { write: (line) => lines.push(line) } });
    try {
      await app.listen(0, '127.0.0.1');
      for (let i = 0; i < 100 && !lines.join('').includes('Listening on'); i++) await sleep(20);
    } finally {
      await app.close();
    }
    const logged = parseLines(lines.join(''));
    const mapped = logged.filter((line) => line.msg.startsWith('Mapped {'));
    expect(mapped.length).toBeGreaterThan(10);
    expect(mapped.every((line) => line.level === 20)).toBe(true);
    expect(logged.some((line) => /successfully started/.test(line.msg))).toBe(false);

    const info = logged.filter((line) => line.level >= 30);
    expect(info.map((line) => line.context)).toEqual(['Startup', 'Shutdown']);
    const [startup, shutdown] = info;
    expect(startup).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      store: `embedded ${env.DATA_DIR}/events.db`,
      signer: expect.stringMatching(/^local \(kid [\w-]{43}\)$/),
      dataDir: env.DATA_DIR,
      policyVersion: 1,
      readModelPosition: '0',
    });
    expect(startup.msg).toMatch(
      /^Listening on http:\/\/127\.0\.0\.1:\d+ · store embedded .* · signer local .* · DATA_DIR .* · policy v1 · read model at 0 \(caught up\)$/,
    );
    expect(shutdown.msg).toBe(
      'Stopped: 0 of 0 requests in flight at shutdown drained and answered',
    );
  });

  it('names the EventStoreDB hosts without credentials or options', () => {
    const config = loadAppConfig({
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING:
        'esdb://admin:changeit@node1:2113,node2:2113?tls=false&nodePreference=leader&tlsCAFile=/x/ca.crt',
    });
    expect(describeStore(config)).toBe('EventStoreDB esdb://node1:2113,node2:2113 (TLS off)');
  });

  it('refuses a DATA_DIR that is a file, an unreadable key file and a port in use with one line each, and no success first', async () => {
    const fileDir = join(tempDir(), 'not-a-directory');
    writeFileSync(fileDir, 'x');
    const keyAsDirectory = tempDir();
    mkdirSync(join(keyAsDirectory, 'bundle-signing.private.jwk'));
    const garbledKey = tempDir();
    writeFileSync(join(garbledKey, 'token-issuer.private.jwk'), '{"kty":"EC","d":');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const busyPort = (holder.address() as AddressInfo).port;

    try {
      const runs = [
        [{ DATA_DIR: fileDir, PORT: '0' }, /^DATA_DIR \S+ is a file, not a directory; /],
        [{ DATA_DIR: keyAsDirectory, PORT: '0' }, /^Key file \S+ is a directory, not a file$/],
        [{ DATA_DIR: garbledKey, PORT: '0' }, /^Key file \S+token-issuer\S+ is not valid JSON/],
        [
          { DATA_DIR: tempDir(), PORT: String(busyPort) },
          new RegExp(
            `^Cannot listen on port ${busyPort} on 127.0.0.1: it is in use by another process`,
          ),
        ],
      ] as const;
      const results = await Promise.all(
        runs.map(async ([env]) => {
          const run = runMain(env);
          return { code: await run.exited, ...run.output };
        }),
      );
      results.forEach((result, index) => {
        expect(result.code).toBe(1);
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(runs[index][1]);
        expect(result.stdout).not.toMatch(/successfully started|Listening on/);
        // Nothing at info or above: Nest's own copy of the failure, with its stack, is at debug.
        expect(parseLines(result.stdout).filter((line) => line.level >= 30)).toEqual([]);
      });
    } finally {
      holder.close();
    }
  }, 120_000);

  it('drains a request in flight at SIGTERM, answers it, and says so in one line', async () => {
    const dataDir = tempDir();
    const run = runMain({ DATA_DIR: dataDir, PORT: '0' });
    try {
      for (let i = 0; i < 600 && !run.output.stdout.includes('Listening on'); i++) await sleep(100);
      const [startup] = parseLines(run.output.stdout);
      expect(startup).toMatchObject({ level: 30, context: 'Startup', policyVersion: 1 });
      const url = startup.url as string;

      // A read waiting for a position the read model has not reached: in flight for 5 s, then 503.
      const key = await loadOrCreateLocalIssuerKey(dataDir);
      const token = await mintToken(key, 'urn:battery-keys:local-issuer', 'battery-keys', {
        personId: 'pat',
        partyId: 'platform',
        roles: ['platform-admin'],
        ttlSeconds: 60,
      });
      const slow = fetch(`${url}/v1/policy`, {
        headers: { authorization: `Bearer ${token}`, 'x-min-position': '999999' },
      });
      await sleep(300);
      run.child.kill('SIGTERM');
      expect((await slow).status).toBe(503);
      expect(await run.exited).toBe(0);

      const lines = parseLines(run.output.stdout);
      expect(lines.filter((line) => line.context === 'Startup')).toHaveLength(1);
      expect(lines.some((line) => line.msg.startsWith('Mapped {'))).toBe(false);
      expect(lines[lines.length - 1]).toMatchObject({
        level: 30,
        context: 'Shutdown',
        msg: 'Stopped: 1 of 1 requests in flight at shutdown drained and answered',
      });
      expect(run.output.stderr).toBe('');
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 120_000);
});
