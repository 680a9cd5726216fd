import { setTimeout as sleep } from 'node:timers/promises';
import { EventStoreDbTestServer } from '../support/esdb-server/esdb-test-server';
import { TestApp } from '../support/test-app';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';

/**
 * The EventStoreDB node goes away while commands and the projection subscription run (the
 * in-process double is stopped and started on the same port, its data kept). Commands meanwhile
 * get 503 with Retry-After and record nothing partial; afterwards the read model resumes with no
 * gap and no duplicate, and the process never crashed.
 */
describe('EventStoreDB outage under load', () => {
  let server: EventStoreDbTestServer;
  let app: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    server = await EventStoreDbTestServer.start();
    app = await TestApp.start({
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: server.connectionString,
      READ_YOUR_WRITES_TIMEOUT_MS: '2000',
    });
    cast = await registerCast(app);
    await provision(app, cast, 'SN-OUTAGE');
  });
  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  it('answers 503 during the outage, resumes afterwards, and loses or doubles nothing', async () => {
    const answered: { status: number; keyId?: string }[] = [];
    let running = true;
    const load = (async () => {
      for (let i = 0; running && i < 400; i++) {
        const response = await issueKey(
          app,
          cast.ownerA,
          'SN-OUTAGE',
          { personId: `tech-${i}`, partyId: 'workshop' },
          ['diagnostics.read'],
        );
        answered.push({
          status: response.status,
          keyId: response.status === 201 ? response.body.events[0].data.keyId : undefined,
        });
        if (response.status === 503) {
          expect(response.headers.get('retry-after')).toBeTruthy();
          expect(response.body).toMatchObject({ code: 'store-unavailable' });
        }
        await sleep(5);
      }
    })();

    await sleep(300);
    await server.stop();
    await sleep(1500);
    const duringOutage = await app.request('GET', '/health');
    await server.start();
    await sleep(1500);
    running = false;
    await load;

    expect(duringOutage.status).toBe(503);
    const statuses = new Set(answered.map((a) => a.status));
    expect(statuses.has(201)).toBe(true);
    expect(statuses.has(503)).toBe(true);
    expect([...statuses].every((s) => s === 201 || s === 503)).toBe(true);

    // Every 201 is in the store exactly once; nothing else was appended.
    const stored = server.log.records.filter(
      (e) => e.streamId === 'battery-SN-OUTAGE' && e.type === 'KeyIssued',
    );
    const acknowledged = answered.filter((a) => a.status === 201).map((a) => a.keyId);
    expect(stored.map((e) => JSON.parse(Buffer.from(e.data).toString()).keyId).sort()).toEqual(
      [...acknowledged].sort(),
    );

    // The read model caught up with no gap and no duplicate: history equals the stream.
    const head = await app.request('POST', '/v1/batteries/SN-OUTAGE/theft-report', {
      as: cast.ownerA,
    });
    expect(head.status).toBe(200);
    const history = await app.request('GET', '/v1/batteries/SN-OUTAGE/history?limit=500', {
      as: cast.ownerA,
      headers: { 'x-min-position': head.body.position },
    });
    const revisions = history.body.items.map((e: { revision: number }) => e.revision);
    expect(revisions).toEqual(revisions.map((_: number, i: number) => i));
    expect(revisions.length).toBe(
      server.log.records.filter((e) => e.streamId === 'battery-SN-OUTAGE').length,
    );
    expect((await app.request('GET', '/health')).status).toBe(200);
  }, 30_000);
});
