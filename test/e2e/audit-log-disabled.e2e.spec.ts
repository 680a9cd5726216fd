import { decodeJwt } from 'jose';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkpointOf, eventsInStore } from '../audit-log/support';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';

interface HistoryPage {
  items: { eventId: string; type: string; leafIndex: number | null }[];
}

/**
 * AUDIT_LOG_ENABLED=false (the benchmark's baseline for the log's cost): the service runs without
 * the audit log and nothing else depends on it; switched on again on the same data, the log is
 * rebuilt over the whole store, the events of the time it was off included.
 */
describe('the service with the audit log switched off', () => {
  let app: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    app = await TestApp.start({ AUDIT_LOG_ENABLED: 'false' });
    cast = await registerCast(app);
    await provision(app, cast, 'SN-NOLOG-1');
    const issued = await issueKey(
      app,
      cast.ownerA,
      'SN-NOLOG-1',
      { personId: 'tom', partyId: 'workshop' },
      ['status.read'],
    );
    expect(issued.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await app.stop();
  });

  it('signs bundles without a log claim', async () => {
    const bundle = await app.request('GET', '/v1/batteries/SN-NOLOG-1/bundle', {
      as: cast.ownerA,
    });
    expect(bundle.status).toBe(200);
    const claims = decodeJwt(bundle.text);
    expect(claims.ver).toBe(2);
    expect(claims).not.toHaveProperty('log');
  });

  it('names no leaf in the history or the audit view', async () => {
    const history = await app.request('GET', '/v1/batteries/SN-NOLOG-1/history', {
      as: cast.ownerA,
    });
    expect(history.status).toBe(200);
    const items = (history.body as HistoryPage).items;
    expect(items.map((item) => [item.type, item.leafIndex])).toEqual([
      ['BatteryProvisioned', null],
      ['KeyIssued', null],
    ]);
    const audit = await app.request('GET', '/v1/audit?party=lessor-a', { as: cast.platform });
    expect(audit.status).toBe(200);
    const entries = (audit.body as HistoryPage).items;
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.leafIndex).toBeNull();
  });

  it("has none of the log's routes", async () => {
    for (const path of [
      '/v1/log/checkpoint',
      '/.well-known/audit-log-key',
      '/v1/log/proofs/consistency?from=1&to=2',
      '/v1/audit/export?battery=SN-NOLOG-1',
    ]) {
      const response = await app.request('GET', path, { as: cast.platform });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('is ready without an audit-log check', async () => {
    const ready = await app.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    const details = (ready.body as { details: Record<string, unknown> }).details;
    expect(Object.keys(details).sort()).toEqual(['catchUp', 'eventStore', 'projections', 'signer']);
  });

  it('switched on again, logs every event, those recorded while it was off too', async () => {
    const switchTo = async (enabled: boolean) => {
      await app.stop({ keepData: true });
      app = await TestApp.start(
        enabled
          ? { AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100', AUDIT_LOG_VERIFY_INTERVAL_SECONDS: '1' }
          : { AUDIT_LOG_ENABLED: 'false' },
        app.dataDir,
      );
    };
    const expectWholeStoreLogged = async () => {
      const events = eventsInStore(app.dataDir);
      const { checkpoint } = await checkpointOf(app, events);
      expect(checkpoint.size).toBe(events);
      // The tamper check (every second here) re-reads the store and compares it with the tree and
      // the checkpoints kept from before; wait for one that covers the whole store.
      const deadline = Date.now() + 15_000;
      let auditLog: { status?: string; state?: string; treeSize?: number } = {};
      while (auditLog.treeSize !== events && Date.now() < deadline) {
        await sleep(100);
        const ready = await app.request('GET', '/health/ready');
        auditLog = (ready.body as { details: { auditLog: typeof auditLog } }).details.auditLog;
        if (auditLog.status !== 'up') break;
      }
      expect(auditLog).toMatchObject({ status: 'up', state: 'intact', treeSize: events });
    };

    await provision(app, cast, 'SN-NOLOG-2');
    await switchTo(true);
    await expectWholeStoreLogged();
    const history = await app.request('GET', '/v1/batteries/SN-NOLOG-1/history', {
      as: cast.ownerA,
    });
    const indexes = (history.body as HistoryPage).items.map((item) => item.leafIndex);
    expect(indexes).toEqual([expect.any(Number), expect.any(Number)]);

    // Off again for one event: the log's tables go, so the next start replays rather than resume
    // with that event missing (which its own tamper check would call a rewritten history).
    await switchTo(false);
    await provision(app, cast, 'SN-NOLOG-3');
    await switchTo(true);
    await expectWholeStoreLogged();
  }, 90_000);
});
