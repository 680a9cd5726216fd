import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp } from '../support/test-app';
import { provision, registerCast, type Cast } from '../support/fleet-scenario';
import { checkCosignature, openCheckpointNote } from './support/independent-log';
import { runCli } from './support/run-cli';
import { within } from '../../src/health/readiness';

/**
 * `npm run audit-witness` against the real service, which trusts the witness's key
 * (AUDIT_LOG_WITNESS_KEYS): each round's cosignature is accepted and served with the checkpoint,
 * and verifies with the test's own implementation.
 */
const WITNESS = 'witness.example/w1';

/** A set-up step's result, or a failure that names the step (late after `seconds`, or failed). */
const step = <T>(name: string, seconds: number, work: Promise<T>): Promise<T> =>
  within(work, seconds * 1000).catch((error: Error) => {
    throw new Error(`${name}: ${error.message}`, { cause: error });
  });

describe('audit-witness against the real service', () => {
  let dir: string;
  let app: TestApp;
  let cast: Cast;
  let witnessKey: string;
  let logKey: string;
  let files: { key: string; logKey: string; state: string };

  const witnessOnce = () =>
    runCli('audit-witness.ts', [
      '--log-url',
      app.baseUrl,
      '--log-key',
      files.logKey,
      '--witness-key',
      files.key,
      '--name',
      WITNESS,
      '--state',
      files.state,
      '--once',
    ]);

  /** Waits (bounded) until the newest checkpoint covers `size` leaves and stops growing. */
  async function settledCheckpoint(size: number): Promise<string> {
    const deadline = Date.now() + 15_000;
    let previous = '';
    for (;;) {
      const note = (await app.request('GET', '/v1/log/checkpoint')).text;
      if (Number(note.split('\n')[1]) >= size && note === previous) return note;
      if (Date.now() > deadline) throw new Error(`no settled checkpoint of size ${size}`);
      previous = note;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  async function eventCount(): Promise<number> {
    const auditor = await app.caller('audrey', 'platform', ['auditor']);
    const page = await app.request('GET', '/v1/audit?limit=500', { as: auditor });
    return (page.body.items as unknown[]).length;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-witness-service-'));
    files = {
      key: join(dir, 'witness.key'),
      logKey: join(dir, 'log.pub'),
      state: join(dir, 'state.json'),
    };
    // Each step bounded on its own (a fresh-clone CI run once saw this set-up pass 60 s): a slow
    // one fails under its own name instead of the hook's timeout, which names none.
    const init = await step(
      '--init',
      30,
      runCli('audit-witness.ts', ['--init', '--witness-key', files.key, '--name', WITNESS]),
    );
    if (init.code !== 0) throw new Error(`--init: ${init.stderr}`);
    witnessKey = init.stdout.trim();
    app = await step(
      'the service start',
      30,
      TestApp.start({
        AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100',
        AUDIT_LOG_WITNESS_KEYS: witnessKey,
      }),
    );
    logKey = (await app.request('GET', '/.well-known/audit-log-key')).text;
    writeFileSync(files.logKey, logKey);
    cast = await step('registering the cast', 30, registerCast(app));
    await step('provisioning WIT-1', 30, provision(app, cast, 'WIT-1'));
  }, 130_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cosignatureLine = (note: string) =>
    note.split('\n').find((line) => line.startsWith(`\u2014 ${WITNESS} `));

  it('cosigns the checkpoint it first sees; the service serves the cosignature with it', async () => {
    const note = await settledCheckpoint(await eventCount());
    const result = await witnessOnce();
    expect(result.stdout).toContain('(first seen)');
    expect(result.code).toBe(0);

    const served = (await app.request('GET', '/v1/log/checkpoint')).text;
    const opened = openCheckpointNote(served, logKey);
    expect(opened.body).toBe(openCheckpointNote(note, logKey).body);
    const line = cosignatureLine(served);
    expect(line).toBeDefined();
    expect(checkCosignature(opened.body, line ?? '', witnessKey)).toEqual(expect.any(Number));
    const cosigned = await app.request('GET', '/v1/log/checkpoint?cosigned=true');
    expect(cosigned.status).toBe(200);
    expect(cosignatureLine(cosigned.text)).toBe(line);
  });

  it('after the log grows, checks the consistency proof the service serves and cosigns again', async () => {
    const before = Number((await app.request('GET', '/v1/log/checkpoint')).text.split('\n')[1]);
    await provision(app, cast, 'WIT-2');
    const note = await settledCheckpoint(before + 1);
    const result = await witnessOnce();
    expect(result.stdout).toContain(`(extends size ${before})`);
    expect(result.code).toBe(0);
    const served = (await app.request('GET', '/v1/log/checkpoint')).text;
    const { body } = openCheckpointNote(served, logKey);
    expect(body).toBe(openCheckpointNote(note, logKey).body);
    expect(checkCosignature(body, cosignatureLine(served) ?? '', witnessKey)).toEqual(
      expect.any(Number),
    );
  });
});
