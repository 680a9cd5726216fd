import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_ISSUER_KEY_FILE } from '../../src/auth/local-token-issuer';
import { readModelSnapshot } from '../../src/cli/read-model-snapshot';
import { readCheckpoint } from '../../src/read-model/read-model.database';
import {
  loadSnapshotSigningKey,
  signatureFileOf,
  signSnapshot,
} from '../../src/read-model/snapshot-signature';
import { LOCAL_SIGNING_KEY_FILE } from '../../src/signing/local-key-signer';
import { checkpointOf } from '../audit-log/support';
import { EventStoreDbTestServer } from '../support/esdb-server/esdb-test-server';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';

/**
 * A new instance started from a snapshot of another instance's read model (READ_MODEL_SEED),
 * on one EventStoreDB (the in-process test double): it replays only the events after the
 * snapshot, and then answers exactly as the instance that replayed everything; a snapshot of
 * another store's read model, or one edited after it was signed, is refused and the instance
 * replays its own store instead.
 */
describe('a new instance seeded from a read-model snapshot', () => {
  let server: EventStoreDbTestServer;
  let a: TestApp;
  let cast: Cast;
  let scratch: string;
  /** The operators' snapshot signing key (made by the CLI) and its public half, given to instances. */
  let signingKey: string;
  const started: TestApp[] = [];
  const env = () => ({
    EVENT_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: server.connectionString,
    AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100',
  });

  beforeAll(async () => {
    server = await EventStoreDbTestServer.start();
    scratch = mkdtempSync(join(tmpdir(), 'battery-keys-seed-'));
    signingKey = join(scratch, 'snapshot-key.pem');
    const out: string[] = [];
    const io = { stdout: { write: (text: string) => out.push(text) }, stderr: process.stderr };
    expect(await readModelSnapshot(['--new-signing-key', signingKey], io)).toBe(0);
    expect(out.join('')).toContain(`READ_MODEL_SEED_PUBLIC_KEY_FILE=${signingKey}.pub`);
    expect(statSync(signingKey).mode & 0o077).toBe(0);
    a = await TestApp.start(env());
    cast = await registerCast(a);
  });
  afterAll(async () => {
    for (const app of started) await app.stop();
    await a?.stop();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Another instance: its own empty DATA_DIR, the shared keys, its log lines kept. */
  async function newInstance(seed: string) {
    const dataDir = mkdtempSync(join(tmpdir(), 'battery-keys-seeded-'));
    for (const file of [LOCAL_ISSUER_KEY_FILE, LOCAL_SIGNING_KEY_FILE])
      copyFileSync(join(a.dataDir, file), join(dataDir, file));
    const lines: string[] = [];
    const app = await TestApp.start(
      {
        ...env(),
        LOG_LEVEL: 'info',
        READ_MODEL_SEED: seed,
        READ_MODEL_SEED_PUBLIC_KEY_FILE: `${signingKey}.pub`,
      },
      dataDir,
      {
        logDestination: { write: (line: string) => lines.push(line) },
      },
    );
    started.push(app);
    return { app, messages: () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg) };
  }

  async function snapshot(dataDir: string, to: string) {
    const out: string[] = [];
    const io = { stdout: { write: (text: string) => out.push(text) }, stderr: process.stderr };
    const code = await readModelSnapshot(
      ['--data-dir', dataDir, '--to', to, '--signing-key', signingKey],
      io,
    );
    return { code, out: out.join('') };
  }

  /** What a client sees of a battery on an instance, once it has the position. */
  async function viewOf(app: TestApp, serial: string, position: string) {
    const headers = { 'x-min-position': position };
    const [battery, history, bundle] = await Promise.all([
      app.request('GET', `/v1/batteries/${serial}`, { as: cast.ownerA, headers }),
      app.request('GET', `/v1/batteries/${serial}/history`, { as: cast.ownerA, headers }),
      app.request('GET', `/v1/batteries/${serial}/bundle`, { as: cast.ownerA, headers }),
    ]);
    expect([battery.status, history.status, bundle.status]).toEqual([200, 200, 200]);
    return {
      battery: battery.body,
      history: history.body,
      bundleVersion: bundle.headers.get('x-bundle-version'),
      etag: bundle.headers.get('etag'),
    };
  }

  it('replays only the events after the snapshot, then answers as the instance that made it', async () => {
    await provision(a, cast, 'SN-SEED-1');
    const before = await issueKey(
      a,
      cast.ownerA,
      'SN-SEED-1',
      { personId: 'tom', partyId: 'workshop' },
      ['charge'],
    );
    expect(before.status).toBe(201);
    // The snapshot is made while instance A runs and has applied the key.
    await a.request('GET', '/v1/batteries/SN-SEED-1', {
      as: cast.ownerA,
      headers: { 'x-min-position': before.body.position },
    });
    const file = join(scratch, 'read-model.snapshot.db');
    const made = await snapshot(a.dataDir, file);
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/^Snapshot of .* at position \d+ \(event [0-9a-f-]{36}\)/);
    const position = /at position (\d+)/.exec(made.out)![1];

    // Events after the snapshot: a second battery, and the first one's key revoked.
    await provision(a, cast, 'SN-SEED-2');
    const keyId = before.body.events[0].data.keyId as string;
    const revoked = await a.request('POST', `/v1/batteries/SN-SEED-1/keys/${keyId}/revoke`, {
      as: cast.ownerA,
      body: { reason: 'lost' },
    });
    expect(revoked.status).toBe(200);
    const last = revoked.body.position as string;

    const { app: b, messages } = await newInstance(file);
    expect(messages()).toContain(
      `Read model seeded from ${file} at position ${position}; replaying the events after it`,
    );
    for (const serial of ['SN-SEED-1', 'SN-SEED-2'])
      expect(await viewOf(b, serial, last)).toEqual(await viewOf(a, serial, last));
    const onB = await viewOf(b, 'SN-SEED-1', last);
    // What B applied itself, after the snapshot: the revocation.
    expect(onB.battery.keys).toEqual([]);
    expect(onB.history.items.map((event: { type: string }) => event.type)).toEqual([
      'BatteryProvisioned',
      'KeyIssued',
      'KeyRevoked',
    ]);

    // The audit log's tree, built partly by A (in the snapshot) and partly by B, is A's tree.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const onA = await checkpointOf(a, 1);
    const seeded = await checkpointOf(b, onA.checkpoint.size);
    expect(seeded.checkpoint.size).toBe(onA.checkpoint.size);
    expect(Buffer.from(seeded.checkpoint.root)).toEqual(Buffer.from(onA.checkpoint.root));

    // The snapshot stays for the next instance; B's own read model is no snapshot.
    expect(existsSync(file)).toBe(true);
    expect((await snapshot(b.dataDir, join(scratch, 'of-b.db'))).code).toBe(0);
  }, 60_000);

  it("refuses a snapshot of another store's read model and replays its own store instead", async () => {
    // An instance on an embedded store of its own: the same kind of events, another history.
    const elsewhere = await TestApp.start();
    started.push(elsewhere);
    await registerCast(elsewhere);
    const file = join(scratch, 'elsewhere.snapshot.db');
    expect((await snapshot(elsewhere.dataDir, file)).code).toBe(0);

    const { response } = await provision(a, cast, 'SN-SEED-3');
    const { app: c, messages } = await newInstance(file);
    expect(messages().find((message) => message.startsWith('Read-model seed'))).toMatch(
      /not used: its checkpoint \(event .* at position \d+\) is not in this event store; replaying the event store from the start/,
    );
    const position = response.body.position as string;
    expect(await viewOf(c, 'SN-SEED-3', position)).toEqual(await viewOf(a, 'SN-SEED-3', position));
  }, 60_000);

  it('refuses a snapshot edited after it was signed (a battery given to another owner where snapshots are kept) and replays the store', async () => {
    const file = join(scratch, 'tampered.snapshot.db');
    expect((await snapshot(a.dataDir, file)).code).toBe(0);
    // Whoever can write the bucket, without the signing key: battery SN-SEED-1 given to another owner.
    const db = new Database(file);
    const changed = db
      .prepare('UPDATE batteries SET owner_id = ? WHERE serial = ?')
      .run('mallory', 'SN-SEED-1').changes;
    expect(changed).toBe(1);
    db.close();
    const { response } = await provision(a, cast, 'SN-SEED-4');
    const { app: e, messages } = await newInstance(file);
    expect(messages().find((message) => message.startsWith('Read-model seed'))).toMatch(
      /not used: it is not the file its signature covers .*; replaying the event store from the start/,
    );
    const position = response.body.position as string;
    for (const serial of ['SN-SEED-1', 'SN-SEED-4'])
      expect(await viewOf(e, serial, position)).toEqual(await viewOf(a, serial, position));
  }, 60_000);

  it("stops signing when a snapshot's audit log does not match the store (a signed copy of an edited read model)", async () => {
    const file = join(scratch, 'edited.snapshot.db');
    expect((await snapshot(a.dataDir, file)).code).toBe(0);
    const db = new Database(file);
    db.prepare('UPDATE audit_log_leaves SET leaf_hash = ? WHERE leaf_index = 3').run(
      Buffer.alloc(32, 7),
    );
    const checkpoint = readCheckpoint(db)!;
    db.close();
    // Signed as it is: the signature vouches for who made the copy, not that its source was intact.
    writeFileSync(
      signatureFileOf(file),
      await signSnapshot(
        file,
        { position: checkpoint.position, eventId: checkpoint.eventId! },
        loadSnapshotSigningKey(signingKey),
      ),
    );
    const { app: d } = await newInstance(file);
    let ready = await d.request('GET', '/health/ready');
    for (let i = 0; i < 200 && ready.status !== 503; i++) {
      await sleep(50);
      ready = await d.request('GET', '/health/ready');
    }
    expect(ready.body).toMatchObject({
      error: { auditLog: { status: 'down', reason: 'history-rewritten', leafIndex: 3 } },
    });
    const bundle = await d.request('GET', '/v1/batteries/SN-SEED-1/bundle', { as: cast.ownerA });
    expect(bundle.status).toBe(503);
    expect(bundle.body).toMatchObject({ code: 'history-rewritten' });
  }, 60_000);

  it('does not start with a public key it cannot use (a private key given by mistake, a missing file)', async () => {
    for (const [keyFile, why] of [
      [signingKey, /holds a private key: give instances only the public key/],
      [join(scratch, 'missing.pub'), /cannot read a public key from .*missing\.pub/],
    ] as const) {
      const dataDir = mkdtempSync(join(tmpdir(), 'battery-keys-seeded-'));
      const starting = TestApp.start(
        {
          ...env(),
          READ_MODEL_SEED: join(scratch, 'read-model.snapshot.db'),
          READ_MODEL_SEED_PUBLIC_KEY_FILE: keyFile,
        },
        dataDir,
      );
      // Stopped, should it start after all: a started app would keep jest from ending.
      void starting.then(
        (app) => started.push(app),
        () => undefined,
      );
      await expect(starting).rejects.toThrow(why);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('tells what went wrong when no snapshot or key can be made', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'battery-keys-none-'));
    const errors: string[] = [];
    const io = { stdout: process.stdout, stderr: { write: (text: string) => errors.push(text) } };
    const run = async (...argv: string[]) => {
      errors.length = 0;
      return { code: await readModelSnapshot(argv, io), error: errors.join('') };
    };
    const to = ['--to', join(scratch, 'x.db')];
    expect(await run('--data-dir', empty, ...to, '--signing-key', signingKey)).toEqual({
      code: 1,
      error: expect.stringMatching(/^read-model-snapshot failed: No read model at /),
    });
    expect(await run('--data-dir', empty, '--signing-key', signingKey)).toEqual({
      code: 2,
      error: expect.stringMatching(/--to <file> is required/),
    });
    expect(await run('--data-dir', a.dataDir, ...to)).toEqual({
      code: 2,
      error: expect.stringMatching(/--signing-key <file> is required: instances use only signed/),
    });
    // The public half is no signing key; an existing key is never overwritten.
    expect(await run('--data-dir', a.dataDir, ...to, '--signing-key', `${signingKey}.pub`)).toEqual(
      {
        code: 1,
        error: expect.stringMatching(
          /^read-model-snapshot failed: signing key: cannot read a private key/,
        ),
      },
    );
    expect(await run('--new-signing-key', signingKey)).toEqual({
      code: 1,
      error: expect.stringMatching(/exists already: a signing key is never overwritten/),
    });
    expect(existsSync(join(scratch, 'x.db'))).toBe(false);
    rmSync(empty, { recursive: true, force: true });
  });
});
