import { jwtVerify, createRemoteJWKSet } from 'jose';
import { provision, registerCast, type Cast } from '../support/fleet-scenario';
import { newPublicJwk, TestApp, type Caller } from '../support/test-app';

const inAYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString();
const types = (answer: { body: { events?: { type: string }[] } }) =>
  (answer.body.events ?? []).map((event) => event.type);

/** Issue 9, classes 4, 5 and 9: two keys mean two humans, revoked means revoked, authority must still hold. */
describe('One person holding tokens of two parties fills both keys of a two-key lock', () => {
  let app: TestApp;
  let cast: Cast;
  let aliceAsEngineer: Caller;
  let carl: Caller;
  let carlAsOwner: Caller;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    await app.request('POST', '/v1/parties', {
      as: cast.platform,
      body: { partyId: 'cells', name: 'Cells', kind: 'cell-specialist' },
    });
    aliceAsEngineer = await app.caller('alice', 'cells', ['cell-engineer']);
    carl = await app.caller('carl', 'cells', ['cell-engineer']);
    carlAsOwner = await app.caller('carl', 'lessor-a', ['owner-admin']);
    await provision(app, cast, 'SN-2KEY');
    await app.request('POST', '/v1/batteries/SN-2KEY/specialists', {
      as: cast.ownerA,
      body: { specialistId: 'cells', contractId: 'c-1' },
    });
  });
  afterAll(async () => app.stop());

  it('cannot approve her own proposal through her other party', async () => {
    await app.request('POST', '/v1/batteries/SN-2KEY/parameter-proposals', {
      as: cast.ownerA,
      body: { proposalId: 'mine', parameters: { socMinPercent: 5 } },
    });
    const answer = await app.request('POST', '/v1/batteries/SN-2KEY/proposals/mine/approve', {
      as: aliceAsEngineer,
    });
    expect(answer).toMatchObject({ status: 403, body: { code: 'proposer-cannot-approve' } });
    await app.request('POST', '/v1/batteries/SN-2KEY/proposals/mine/withdraw', { as: cast.ownerA });
  });

  it('cannot fill the second slot under another party after filling the first', async () => {
    const finance = await app.caller('fred', 'lessor-a', ['fleet-finance']);
    await app.request('POST', '/v1/batteries/SN-2KEY/parameter-proposals', {
      as: finance,
      body: { proposalId: 'twice', parameters: { socMinPercent: 6 } },
    });
    expect(
      (await app.request('POST', '/v1/batteries/SN-2KEY/proposals/twice/approve', { as: carl }))
        .status,
    ).toBe(200);
    const answer = await app.request('POST', '/v1/batteries/SN-2KEY/proposals/twice/approve', {
      as: carlAsOwner,
    });
    expect(answer).toMatchObject({ status: 409, body: { code: 'already-approved' } });
    expect(
      (await app.request('GET', '/v1/batteries/SN-2KEY', { as: cast.ownerA })).body.parameters
        .socMinPercent,
    ).toBe(0);
  });

  it('cannot issue a key to herself by naming her other party as the holder', async () => {
    const { publicJwk } = await newPublicJwk();
    const answer = await app.request('POST', '/v1/batteries/SN-2KEY/keys', {
      as: cast.ownerA,
      body: {
        holder: { personId: 'alice', partyId: 'workshop' },
        publicKey: publicJwk,
        capabilities: ['diagnostics.read'],
        notAfter: inAYear(),
      },
    });
    expect(answer).toMatchObject({ status: 403, body: { code: 'self-issuance' } });
  });
});

describe('An operator brings back a key the owner revoked because its private half was stolen', () => {
  let app: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    await provision(app, cast, 'SN-REVOKED');
    await app.request('POST', '/v1/batteries/SN-REVOKED/leases', {
      as: cast.ownerA,
      body: { operatorId: 'courier', leaseId: 'l-1' },
    });
  });
  afterAll(async () => app.stop());

  it('is refused under a new key id, and the bundle never lists the key again', async () => {
    const { publicJwk } = await newPublicJwk();
    const issue = (keyId: string) =>
      app.request('POST', '/v1/batteries/SN-REVOKED/keys', {
        as: cast.fleetManager,
        body: {
          keyId,
          holder: { personId: 'dan', partyId: 'courier' },
          publicKey: publicJwk,
          capabilities: ['discharge'],
          notAfter: inAYear(),
        },
      });
    expect((await issue('dan-1')).status).toBe(201);
    expect(
      (
        await app.request('POST', '/v1/batteries/SN-REVOKED/keys/dan-1/revoke', {
          as: cast.ownerA,
          body: { reason: 'private key stolen' },
        })
      ).status,
    ).toBe(200);
    expect(await issue('dan-2')).toMatchObject({
      status: 422,
      body: { code: 'public-key-revoked' },
    });
    const bundle = await app.request('GET', '/v1/batteries/SN-REVOKED/bundle', { as: cast.ownerA });
    const { payload } = await jwtVerify(
      bundle.text,
      createRemoteJWKSet(new URL(`${app.baseUrl}/.well-known/jwks.json`)),
    );
    expect(payload.keys).toEqual([]);
  });
});

describe('An approval outlives the authority behind it and applies a change', () => {
  let app: TestApp;
  let cast: Cast;
  let carl: Caller;
  let finance: Caller;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    await app.request('POST', '/v1/parties', {
      as: cast.platform,
      body: { partyId: 'cells', name: 'Cells', kind: 'cell-specialist' },
    });
    carl = await app.caller('carl', 'cells', ['cell-engineer']);
    finance = await app.caller('fred', 'lessor-a', ['fleet-finance']);
  });
  afterAll(async () => app.stop());

  async function contractedWithApproval(serial: string) {
    await provision(app, cast, serial);
    await app.request('POST', `/v1/batteries/${serial}/specialists`, {
      as: cast.ownerA,
      body: { specialistId: 'cells', contractId: 'c-1' },
    });
    await app.request('POST', `/v1/batteries/${serial}/parameter-proposals`, {
      as: finance,
      body: { proposalId: 'p', parameters: { socMinPercent: 5 } },
    });
    expect(
      types(await app.request('POST', `/v1/batteries/${serial}/proposals/p/approve`, { as: carl })),
    ).toEqual(['ProposalApproved']);
  }

  it("does not count the cell engineer's approval after the owner ended the contract", async () => {
    await contractedWithApproval('SN-LAPSE');
    const ended = await app.request('POST', '/v1/batteries/SN-LAPSE/specialists/c-1/end', {
      as: cast.ownerA,
    });
    expect(types(ended)).toEqual(['SpecialistContractEnded', 'ApprovalLapsed']);
    expect(
      types(
        await app.request('POST', '/v1/batteries/SN-LAPSE/proposals/p/approve', {
          as: cast.ownerA,
        }),
      ),
    ).toEqual(['ProposalApproved']);
    const battery = await app.request('GET', '/v1/batteries/SN-LAPSE', { as: cast.ownerA });
    expect(battery.body.parameters.socMinPercent).toBe(0);
    expect(battery.body.proposals).toEqual([
      expect.objectContaining({
        proposalId: 'p',
        approvals: [expect.objectContaining({ relationship: 'owner' })],
      }),
    ]);
  });

  it('does not apply a proposal opened before a theft report to the stolen battery', async () => {
    await contractedWithApproval('SN-STOLEN');
    const reported = await app.request('POST', '/v1/batteries/SN-STOLEN/theft-report', {
      as: cast.ownerA,
    });
    expect(types(reported)).toEqual(['BatteryReportedStolen', 'ProposalRejected']);
    expect(
      await app.request('POST', '/v1/batteries/SN-STOLEN/proposals/p/approve', { as: cast.ownerA }),
    ).toMatchObject({ status: 404, body: { code: 'proposal-not-found' } });
    expect(
      (await app.request('GET', '/v1/batteries/SN-STOLEN', { as: cast.ownerA })).body.parameters
        .socMinPercent,
    ).toBe(0);
  });
});
