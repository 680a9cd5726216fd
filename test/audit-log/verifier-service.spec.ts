import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEVICE_KEY_LABEL,
  DEVICE_KEY_POOL,
  HOLDER_KEY_LABEL,
  keyPool,
  loadFleet,
  serialOf,
} from '../../bench/support/fleet-loader';
import { TestApp, newPublicJwk, type Caller } from '../support/test-app';
import { runCli } from './support/run-cli';

/**
 * `npm run audit-verify` on exports the real service streams (GET /v1/audit/export): 10,000 events
 * of one party out of a store of 11,005 (written by the bench's bulk loader through the real
 * deciders, then caught up by the service, tree included), and a battery's export with a
 * consistency proof from a checkpoint the auditor kept before the log grew.
 */
const BATTERIES = 1000;
const KEYS_PER_BATTERY = 10;
/** Five parties registered, each battery provisioned, then its keys issued. */
const EVENTS = 5 + BATTERIES * (1 + KEYS_PER_BATTERY);

describe('audit-verify on exports from the real service', () => {
  let app: TestApp;
  let dir: string;
  let auditor: Caller;
  let logKeyFile: string;

  async function checkpointOfSize(size: number, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const note = (await app.request('GET', '/v1/log/checkpoint')).text;
      if (Number(note.split('\n')[1]) >= size) return note;
      if (Date.now() > deadline) throw new Error(`no checkpoint of size ${size}: ${note}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function exportTo(file: string, query: string): Promise<string[]> {
    const response = await app.request('GET', `/v1/audit/export?${query}`, { as: auditor });
    if (response.status !== 200) throw new Error(`export: ${response.status} ${response.text}`);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    writeFileSync(join(dir, file), response.text);
    return response.text.split('\n').filter(Boolean);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-verify-service-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    await loadFleet(join(dataDir, 'events.db'), {
      batteries: BATTERIES,
      keysPerBattery: KEYS_PER_BATTERY,
      registerParties: true,
      deviceKeys: keyPool(DEVICE_KEY_LABEL, Math.min(DEVICE_KEY_POOL, BATTERIES)),
      holderKeys: keyPool(HOLDER_KEY_LABEL, KEYS_PER_BATTERY),
    });
    app = await TestApp.start({ AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '200' }, dataDir);
    auditor = await app.caller('audrey', 'platform', ['auditor']);
    await checkpointOfSize(EVENTS, 180_000);
    logKeyFile = join(dir, 'log.pub');
    writeFileSync(logKeyFile, (await app.request('GET', '/.well-known/audit-log-key')).text);
  }, 300_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies an export of 10,000 events offline', async () => {
    const lines = await exportTo('lessor-a.jsonl', 'party=lessor-a');
    expect(lines).toHaveLength(1 + BATTERIES * KEYS_PER_BATTERY);
    const result = await runCli('audit-verify.ts', [
      '--export',
      join(dir, 'lessor-a.jsonl'),
      '--log-key',
      logKeyFile,
    ]);
    expect(result.stdout).toContain(
      `${BATTERIES * KEYS_PER_BATTERY} entries verified against checkpoint of size ${EVENTS}`,
    );
    expect(result.code).toBe(0);
  }, 120_000);

  it("verifies a battery's export against a checkpoint kept before the log grew, and names a tampered line", async () => {
    const kept = join(dir, 'kept.txt');
    writeFileSync(kept, await checkpointOfSize(EVENTS, 10_000));
    const serial = serialOf(7);
    const owner = await app.caller('alice', 'lessor-a', ['owner-admin']);
    const issued = await app.request('POST', `/v1/batteries/${serial}/keys`, {
      as: owner,
      body: {
        holder: { personId: 'tina', partyId: 'workshop' },
        publicKey: (await newPublicJwk()).publicJwk,
        capabilities: ['diagnostics.read'],
        notAfter: new Date(Date.now() + 86_400_000).toISOString(),
        reason: 'after the auditor kept a checkpoint',
      },
    });
    expect(issued.status).toBe(201);
    await checkpointOfSize(EVENTS + 1, 30_000);

    const lines = await exportTo('battery.jsonl', `battery=${serial}&previousSize=${EVENTS}`);
    expect(lines).toHaveLength(1 + 1 + KEYS_PER_BATTERY + 1);
    const verify = (file: string) =>
      runCli('audit-verify.ts', [
        '--export',
        join(dir, file),
        '--log-key',
        logKeyFile,
        '--previous-checkpoint',
        kept,
      ]);
    const good = await verify('battery.jsonl');
    expect(good.stdout).toMatch(
      new RegExp(
        `${KEYS_PER_BATTERY + 2} entries verified .* extends the kept checkpoint of size ${EVENTS}`,
      ),
    );
    expect(good.code).toBe(0);

    // Someone edits the reason of the newest event in the saved export.
    const tampered = [...lines];
    tampered[tampered.length - 1] = tampered[tampered.length - 1].replace(
      'after the auditor kept a checkpoint',
      'before the auditor kept a checkpoint',
    );
    writeFileSync(join(dir, 'tampered.jsonl'), `${tampered.join('\n')}\n`);
    const bad = await verify('tampered.jsonl');
    expect(bad.stderr).toContain(`FAILED at line ${tampered.length}: inclusion:`);
    expect(bad.code).toBe(1);
  }, 120_000);
});
