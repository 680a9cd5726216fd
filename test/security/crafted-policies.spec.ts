import { createRemoteJWKSet, jwtVerify } from 'jose';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import type { JsonObject } from '../../src/event-store/event-store.port';
import { DEFAULT_POLICY_DOCUMENT } from '../../src/policy/domain/default-policy';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp, type Caller } from '../support/test-app';

const copy = () =>
  JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT)) as typeof DEFAULT_POLICY_DOCUMENT &
    Record<string, unknown>;

/** Issue 9, classes 3 and 8: promises no policy document can take back, however it is crafted. */
describe('Two platform admins relabel a physical-harm capability so that an owner can issue it', () => {
  let app: TestApp;
  let cast: Cast;
  let platform2: Caller;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    platform2 = await app.caller('paula', 'platform', ['platform-admin']);
    await provision(app, cast, 'SN-L4');
  });
  afterAll(async () => app.stop());

  it('cannot propose hard-limits.exceed at layer 2, nor loosen any capability below its catalogue layer', async () => {
    const relabelled = copy();
    relabelled.capabilities['hard-limits.exceed'] = 2;
    relabelled.capabilities['remote.disable'] = 2;
    const answer = await app.request('POST', '/v1/policy/proposals', {
      as: cast.platform,
      body: { proposalId: 'l4', document: relabelled },
    });
    expect(answer).toMatchObject({
      status: 422,
      body: {
        code: 'policy-invalid',
        problems: [
          expect.stringContaining('remote.disable'),
          expect.stringContaining('hard-limits.exceed'),
        ],
      },
    });
    expect(
      (await app.request('POST', '/v1/policy/proposals/l4/approve', { as: platform2 })).status,
    ).toBe(404);
    expect((await app.request('GET', '/v1/policy', { as: cast.ownerA })).body.version).toBe(1);
  });

  it('cannot have an owner-admin issue it', async () => {
    const answer = await issueKey(
      app,
      cast.ownerA,
      'SN-L4',
      { personId: 'tom', partyId: 'workshop' },
      ['hard-limits.exceed'],
    );
    expect(answer).toMatchObject({ status: 403, body: { code: 'physical-harm-prohibited' } });
  });

  it('never sees it signed, even if a past decision had recorded it', async () => {
    expect(
      (
        await issueKey(app, cast.ownerA, 'SN-L4', { personId: 'tom', partyId: 'workshop' }, [
          'diagnostics.read',
        ])
      ).status,
    ).toBe(201);
    await app.stop({ keepData: true });
    const store = new SqliteEventStore(join(app.dataDir, 'events.db'));
    const issued = (await store.readStream('battery-SN-L4')).find(
      (event) => event.type === 'KeyIssued',
    );
    if (!issued) throw new Error('no KeyIssued to copy');
    const data = {
      ...issued.data,
      keyId: 'forged-l4',
      capabilities: ['hard-limits.exceed', 'charge'],
    } as JsonObject;
    await store.appendToStream(
      'battery-SN-L4',
      [{ id: randomUUID(), type: 'KeyIssued', data, metadata: issued.metadata }],
      'any',
    );
    await store.dispose();
    app = await TestApp.start({}, app.dataDir);
    const bundle = await app.request('GET', '/v1/batteries/SN-L4/bundle', {
      as: cast.ownerA,
      headers: { 'x-min-position': '1' },
    });
    expect(bundle.status).toBe(200);
    const { payload } = await jwtVerify(
      bundle.text,
      createRemoteJWKSet(new URL(`${app.baseUrl}/.well-known/jwks.json`)),
    );
    const forged = (payload.keys as { key_id: string; caps: string[] }[]).find(
      (key) => key.key_id === 'forged-l4',
    );
    expect(forged?.caps).toEqual(['charge']);
  });
});

describe('A platform admin crafts a policy document that quietly breaks a promise', () => {
  let app: TestApp;
  let cast: Cast;
  let platform2: Caller;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    platform2 = await app.caller('paula', 'platform', ['platform-admin']);
  });
  afterAll(async () => app.stop());

  const propose = (document: unknown) =>
    app.request('POST', '/v1/policy/proposals', { as: cast.platform, body: { document } });

  it('cannot drop the operator from the Art. 14 health read', async () => {
    const document = copy();
    document.regulatoryReadAccess.relationships = ['owner'];
    expect(await propose(document)).toMatchObject({
      status: 422,
      body: { code: 'policy-invalid', problems: [expect.stringContaining('missing: operator')] },
    });
  });

  it('cannot lock policy changes for good with approvers that can never exist', async () => {
    const document = copy();
    document.actions['policy.change'] = {
      performers: [{ relationship: 'platform', role: 'platform-admin' }],
      approvals: [{ anyOf: [{ relationship: 'cell-specialist', role: 'cell-engineer' }] }],
    };
    expect(await propose(document)).toMatchObject({
      status: 422,
      body: { problems: [expect.stringContaining('nobody could ever give this approval')] },
    });
  });

  it('cannot let keys live for decades', async () => {
    expect(await propose({ ...copy(), keyLifetimeMaxDays: 36_500 })).toMatchObject({
      status: 422,
      body: { problems: [expect.stringContaining('keyLifetimeMaxDays')] },
    });
  });

  it('can re-adopt a document written before an action existed: the missing rule takes the safe default, nothing answers 500', async () => {
    const older = copy();
    delete (older.actions as Record<string, unknown>)['specialist.end'];
    delete (older as Partial<typeof older>).keyLifetimeMaxDays;
    expect(
      (
        await app.request('POST', '/v1/policy/proposals', {
          as: cast.platform,
          body: { proposalId: 'older', document: older },
        })
      ).status,
    ).toBe(201);
    const adopted = await app.request('POST', '/v1/policy/proposals/older/approve', {
      as: platform2,
    });
    expect(adopted.body.events.map((e: { type: string }) => e.type)).toEqual([
      'PolicyChangeApproved',
      'PolicyAdopted',
    ]);
    const policy = await app.request('GET', '/v1/policy', { as: cast.ownerA });
    expect(policy.body.document.actions['specialist.end']).toEqual(
      DEFAULT_POLICY_DOCUMENT.actions['specialist.end'],
    );
    const explained = await app.request('GET', '/v1/policy/explain?action=specialist.end', {
      as: cast.ownerA,
    });
    expect(explained.status).toBe(200);
  });
});
