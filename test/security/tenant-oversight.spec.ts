import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp, type Caller } from '../support/test-app';

/**
 * Issue 9, classes 1 and 10. Oversight (every tenant's batteries, histories, audit) belongs to the
 * platform party's people; a role a tenant hands its own people grants none of it. And a party with
 * no relationship to a battery hears exactly what it would hear of a serial nobody provisioned.
 */
describe("A tenant that gives its own people the auditor and platform-admin roles reads other tenants' batteries", () => {
  let app: TestApp;
  let cast: Cast;
  let fakeAuditor: Caller;
  let fakeAdmin: Caller;
  let platformAuditor: Caller;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    await provision(app, cast, 'SN-A-1');
    expect(
      (
        await issueKey(app, cast.ownerA, 'SN-A-1', { personId: 'tom', partyId: 'workshop' }, [
          'diagnostics.read',
        ])
      ).status,
    ).toBe(201);
    fakeAuditor = await app.caller('eve', 'lessor-b', ['auditor']);
    fakeAdmin = await app.caller('eve', 'lessor-b', ['platform-admin', 'auditor']);
    platformAuditor = await app.caller('audrey', 'platform', ['auditor']);
  });
  afterAll(async () => app.stop());

  const reads = (serial: string) => [
    `/v1/batteries/${serial}`,
    `/v1/batteries/${serial}/history`,
    `/v1/batteries/${serial}/bundle`,
    `/v1/devices/${serial}/sync`,
    `/v1/devices/${serial}/history`,
    `/v1/policy/explain?serial=${serial}&action=lease.end`,
  ];

  it("gets nothing of lessor-a's battery with either role", async () => {
    for (const caller of [fakeAuditor, fakeAdmin]) {
      for (const path of reads('SN-A-1')) {
        const answer = await app.request('GET', path, { as: caller });
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({
          path,
          status: 404,
          code: 'battery-not-found',
        });
      }
    }
  });

  it('lists no fleet but its own, and audits no other party', async () => {
    for (const path of [
      '/v1/batteries',
      '/v1/fleet/lagging',
      '/v1/fleet/exposure',
      '/v1/audit?party=lessor-a',
      '/v1/audit',
      '/v1/batteries?owner=lessor-a',
    ]) {
      const answer = await app.request('GET', path, { as: fakeAdmin });
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
    }
    expect(
      (await app.request('GET', '/v1/audit?party=lessor-b', { as: fakeAdmin })).body.items,
    ).toEqual([]);
  });

  it('cannot ask explain about anyone else without a battery', async () => {
    const answer = await app.request(
      'GET',
      '/v1/policy/explain?action=lease.end&person=alice&party=lessor-a&roles=owner-admin',
      { as: fakeAdmin },
    );
    expect(answer.status).toBe(403);
  });

  it('is not the platform: the platform party auditor still sees every tenant', async () => {
    expect((await app.request('GET', '/v1/batteries/SN-A-1', { as: platformAuditor })).status).toBe(
      200,
    );
    expect(
      (await app.request('GET', '/v1/audit?party=lessor-a', { as: platformAuditor })).body.items
        .length,
    ).toBeGreaterThan(0);
    expect((await app.request('GET', '/v1/batteries', { as: platformAuditor })).body.items).toEqual(
      [expect.objectContaining({ serial: 'SN-A-1' })],
    );
  });
});

describe('An unrelated party probes serials to learn which batteries exist', () => {
  let app: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    await provision(app, cast, 'SN-EXISTS');
  });
  afterAll(async () => app.stop());

  /** Everything an answer says, less what names the request itself. */
  const shape = (answer: { status: number; body: Record<string, unknown> }, serial: string) => {
    const { requestId: _requestId, instance: _instance, ...problem } = answer.body;
    return {
      status: answer.status,
      ...JSON.parse(JSON.stringify(problem).replaceAll(serial, '<serial>')),
    };
  };

  const probes: {
    method: string;
    path: (serial: string) => string;
    body?: unknown;
    headers?: Record<string, string>;
  }[] = [
    { method: 'GET', path: (s) => `/v1/batteries/${s}` },
    { method: 'GET', path: (s) => `/v1/batteries/${s}/history` },
    { method: 'GET', path: (s) => `/v1/batteries/${s}/bundle` },
    { method: 'GET', path: (s) => `/v1/devices/${s}/sync` },
    { method: 'GET', path: (s) => `/v1/devices/${s}/history` },
    { method: 'GET', path: (s) => `/v1/policy/explain?serial=${s}&action=theft.report` },
    { method: 'POST', path: (s) => `/v1/batteries/${s}/theft-report` },
    {
      method: 'POST',
      path: (s) => `/v1/batteries/${s}/theft-report`,
      headers: { 'if-match': '"0"' },
    },
    {
      method: 'POST',
      path: (s) => `/v1/batteries/${s}/theft-report`,
      headers: { 'if-match': '"7"' },
    },
    {
      method: 'POST',
      path: (s) => `/v1/batteries/${s}/transfers`,
      body: { toOwnerId: 'lessor-b' },
    },
    { method: 'POST', path: (s) => `/v1/batteries/${s}/transfers/t-1/accept` },
    { method: 'POST', path: (s) => `/v1/batteries/${s}/proposals/p-1/approve` },
    { method: 'POST', path: (s) => `/v1/batteries/${s}/keys/k-1/revoke`, body: { reason: 'x' } },
  ];

  it('gets the same answer for an existing serial and an unknown one, on every route', async () => {
    for (const caller of [cast.ownerB, cast.outsider, cast.fleetManager]) {
      for (const probe of probes) {
        const ask = (serial: string) =>
          app.request(probe.method, probe.path(serial), {
            as: caller,
            body: probe.body,
            headers: probe.headers,
          });
        const existing = shape(await ask('SN-EXISTS'), 'SN-EXISTS');
        const unknown = shape(await ask('SN-NEVER'), 'SN-NEVER');
        expect({ probe: `${probe.method} ${probe.path('…')}`, existing }).toEqual({
          probe: `${probe.method} ${probe.path('…')}`,
          existing: unknown,
        });
        expect(existing.status).toBe(404);
      }
    }
  });
});
