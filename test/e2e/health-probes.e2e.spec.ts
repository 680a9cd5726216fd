import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import { EventStoreDbTestServer } from '../support/esdb-server/esdb-test-server';
import { provision, registerCast } from '../support/fleet-scenario';
import { TestApp, type TestResponse } from '../support/test-app';

/** What no unauthenticated caller may read in a probe's answer: an error's own text. */
const INTERNAL_TEXT =
  /\w*Error\b|ECONNREFUSED|UNAVAILABLE|grpc|SQLITE|constraint|\n\s+at |no answer within|127\.0\.0\.1:\d+/;

/** `count` copies of the store's BatteryProvisioned event under new serials, in one transaction. */
async function copyProvisioning(eventsFile: string, count: number): Promise<void> {
  const store = new SqliteEventStore(eventsFile);
  const template = (await store.readAll()).find((event) => event.type === 'BatteryProvisioned');
  await store.dispose();
  if (!template) throw new Error('no BatteryProvisioned event to copy');
  const db = new Database(eventsFile);
  const insert = db.prepare(
    'INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, 0, ?, ?, ?, ?)',
  );
  const recordedAt = new Date().toISOString();
  const metadata = JSON.stringify(template.metadata);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const serial = `SN-COLD-${String(i).padStart(6, '0')}`;
      const data = JSON.stringify({ ...template.data, serial });
      insert.run(randomUUID(), `battery-${serial}`, template.type, data, metadata, recordedAt);
    }
  })();
  db.close();
}

const EVENTS_IN_STORE = 30_000;

describe('readiness of a cold instance catching up on a large store', () => {
  let app: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    const seed = await TestApp.start();
    dataDir = seed.dataDir;
    await provision(seed, await registerCast(seed), 'SN-TEMPLATE');
    await seed.stop({ keepData: true });
    await copyProvisioning(join(dataDir, 'events.db'), EVENTS_IN_STORE);
    // Cold: no read model at all, so the new instance replays the whole store.
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(join(dataDir, `read-model.db${suffix}`), { force: true });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /health/ready 503 (catching up) until the read model is within the bound, /health/live 200 throughout', async () => {
    app = await TestApp.start({}, dataDir);
    const readiness: TestResponse[] = [];
    const liveness: number[] = [];
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [ready, live] = await Promise.all([
        app.request('GET', '/health/ready'),
        app.request('GET', '/health/live'),
      ]);
      readiness.push(ready);
      liveness.push(live.status);
      if (ready.status === 200 || Date.now() > deadline) break;
      await sleep(20);
    }

    expect(liveness.every((status) => status === 200)).toBe(true);
    const [first] = readiness;
    expect(first.status).toBe(503);
    expect(first.body.details.catchUp).toMatchObject({
      status: 'down',
      reason: 'catching up',
      behindEvents: 'more than 1000',
    });
    expect(first.body.details.eventStore.status).toBe('up');
    expect(first.body.details.projections.status).toBe('up');
    expect(first.body.details.signer.status).toBe('up');
    expect(first.text).not.toMatch(INTERNAL_TEXT);
    // Only "catching up" kept it out: every 503 says so, and /health answers the same.
    for (const answer of readiness.slice(0, -1)) {
      expect(answer.status).toBe(503);
      expect(answer.body.details.catchUp.reason).toBe('catching up');
    }

    const last = readiness[readiness.length - 1];
    expect(last.status).toBe(200);
    const { position, head, behindEvents } = last.body.details.catchUp;
    expect(Number(behindEvents)).toBeLessThanOrEqual(1000);
    expect(BigInt(head) - BigInt(position)).toBeLessThanOrEqual(1000n);
    expect(readiness.length).toBeGreaterThan(2); // it took a while: several probes saw it catch up
    expect((await app.request('GET', '/health')).status).toBe(200);
  }, 120_000);
});

describe('probes while the EventStoreDB node is away', () => {
  let server: EventStoreDbTestServer;
  let app: TestApp;

  beforeAll(async () => {
    server = await EventStoreDbTestServer.start();
    app = await TestApp.start({
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: server.connectionString,
    });
    await registerCast(app);
  });
  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  const untilStatus = async (path: string, status: number) => {
    const lives: number[] = [];
    for (let i = 0; i < 100; i++) {
      const [answer, live] = await Promise.all([
        app.request('GET', path),
        app.request('GET', '/health/live'),
      ]);
      lives.push(live.status);
      if (answer.status === status) return { answer, lives };
      await sleep(100);
    }
    throw new Error(`${path} never answered ${status}`);
  };

  it('answers ready (and /health) 503 with a fixed reason, live 200, and ready again once the node is back', async () => {
    expect((await app.request('GET', '/health/ready')).status).toBe(200);

    await server.stop();
    const down = await untilStatus('/health/ready', 503);
    expect(down.lives.every((status) => status === 200)).toBe(true);
    expect(down.answer.body.details).toMatchObject({
      eventStore: { status: 'down', reason: 'store unreachable' },
      catchUp: { status: 'down', reason: 'store unreachable' },
    });
    expect(down.answer.text).not.toMatch(INTERNAL_TEXT);
    expect((await app.request('GET', '/health')).status).toBe(503);
    expect((await app.request('GET', '/health/live')).status).toBe(200);

    await server.start();
    const up = await untilStatus('/health/ready', 200);
    expect(up.lives.every((status) => status === 200)).toBe(true);
    expect(up.answer.body.details.eventStore.status).toBe('up');
  }, 60_000);
});
