import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DEFAULT_POLICY_DOCUMENT } from '../../src/policy/domain/default-policy';
import { TestApp, type Caller } from '../support/test-app';
import { TRANSFER_NEEDS_FINANCE } from '../support/policies';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';

describe('policy, approvals and explain over HTTP', () => {
  let app: TestApp;
  let cast: Cast;
  let finance: Caller;
  let carl: Caller;
  let platform2: Caller;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    await app.request('POST', '/v1/parties', {
      as: cast.platform,
      body: { partyId: 'cells', name: 'Cell Experts', kind: 'cell-specialist' },
    });
    finance = await app.caller('fred', 'lessor-a', ['fleet-finance']);
    carl = await app.caller('carl', 'cells', ['cell-engineer']);
    platform2 = await app.caller('paula', 'platform', ['platform-admin']);
  });
  afterAll(async () => app.stop());

  async function contracted(serial: string) {
    await provision(app, cast, serial);
    const contract = await app.request('POST', `/v1/batteries/${serial}/specialists`, {
      as: cast.ownerA,
      body: { specialistId: 'cells', contractId: 'c-1' },
    });
    expect(contract.status).toBe(201);
  }

  const bundleParams = async (serial: string) => {
    const bundle = await app.request('GET', `/v1/batteries/${serial}/bundle`, { as: cast.ownerA });
    const { payload } = await jwtVerify(
      bundle.text,
      createRemoteJWKSet(new URL(`${app.baseUrl}/.well-known/jwks.json`)),
    );
    return payload.params as Record<string, number>;
  };

  it('widens the state-of-charge window only with the owner and the cell specialist', async () => {
    await contracted('SN-SOC');
    const proposed = await app.request('POST', '/v1/batteries/SN-SOC/parameter-proposals', {
      as: finance,
      body: {
        proposalId: 'soc-1',
        parameters: { socMinPercent: 5, socMaxPercent: 95 },
        reason: 'winter range',
      },
    });
    expect(proposed.status).toBe(201);

    // What is waiting on the cell engineer shows the full request.
    const waiting = await app.request('GET', '/v1/proposals/pending', { as: carl });
    expect(waiting.body.items).toEqual([
      expect.objectContaining({
        serial: 'SN-SOC',
        proposalId: 'soc-1',
        proposal: expect.objectContaining({
          parameters: expect.objectContaining({
            from: expect.objectContaining({ socMinPercent: 0 }),
            to: expect.objectContaining({ socMinPercent: 5 }),
          }),
        }),
      }),
    ]);

    expect(
      (
        await app.request('POST', '/v1/batteries/SN-SOC/proposals/soc-1/approve', {
          as: cast.ownerA,
        })
      ).status,
    ).toBe(200);
    const pending = await app.request('GET', '/v1/batteries/SN-SOC', { as: cast.ownerA });
    expect(pending.body.parameters.socMinPercent).toBe(0);
    expect(pending.body.proposals).toEqual([
      expect.objectContaining({
        proposalId: 'soc-1',
        approvals: [expect.objectContaining({ relationship: 'owner' })],
      }),
    ]);
    expect((await bundleParams('SN-SOC')).socMinPercent).toBe(0);
    expect(
      (await app.request('POST', '/v1/batteries/SN-SOC/proposals/soc-1/approve', { as: finance }))
        .body.code,
    ).toBe('proposer-cannot-approve');

    const applied = await app.request('POST', '/v1/batteries/SN-SOC/proposals/soc-1/approve', {
      as: carl,
    });
    expect(applied.body.events.map((e: { type: string }) => e.type)).toEqual([
      'ProposalApproved',
      'ParametersChanged',
    ]);
    expect(await bundleParams('SN-SOC')).toMatchObject({ socMinPercent: 5, socMaxPercent: 95 });
    expect((await app.request('GET', '/v1/proposals/pending', { as: carl })).body.items).toEqual(
      [],
    );
  });

  it('refuses the 5.25 V typo with a clear error, whoever proposes it', async () => {
    await contracted('SN-TYPO2');
    for (const proposer of [carl, cast.ownerA]) {
      const typo = await app.request('POST', '/v1/batteries/SN-TYPO2/parameter-proposals', {
        as: proposer,
        body: { parameters: { chargeCellVoltageMaxV: 5.25 } },
      });
      expect(typo).toMatchObject({ status: 422, body: { code: 'outside-hard-limits' } });
      expect(typo.body.detail).toContain(
        'chargeCellVoltageMaxV 5.25 V is outside the hard limits 2.8–4.25 V',
      );
    }
    const history = await app.request('GET', '/v1/batteries/SN-TYPO2/history', { as: cast.ownerA });
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual([
      'BatteryProvisioned',
      'SpecialistContracted',
    ]);
  });

  it('recovers a stolen battery with the owner and one more approver', async () => {
    await provision(app, cast, 'SN-RECOVER');
    await app.request('POST', '/v1/batteries/SN-RECOVER/theft-report', { as: cast.ownerA });
    const asked = await app.request('POST', '/v1/batteries/SN-RECOVER/recovery-proposals', {
      as: cast.ownerA,
      body: { proposalId: 'rec-1' },
    });
    expect(asked.status).toBe(201);
    expect(
      (await app.request('GET', '/v1/batteries/SN-RECOVER', { as: cast.ownerA })).body.status,
    ).toBe('stolen');
    const recovered = await app.request(
      'POST',
      '/v1/batteries/SN-RECOVER/proposals/rec-1/approve',
      { as: cast.platform },
    );
    expect(recovered.body.events.map((e: { type: string }) => e.type)).toEqual([
      'ProposalApproved',
      'BatteryRecovered',
    ]);
    expect(
      (
        await issueKey(app, cast.ownerA, 'SN-RECOVER', { personId: 'tom', partyId: 'workshop' }, [
          'charge',
        ])
      ).status,
    ).toBe(201);
  });

  it('explains who may do what, naming the rule, the relationship and the approvals missing', async () => {
    await contracted('SN-EXPLAIN');
    const driverKeys = await app.request(
      'GET',
      '/v1/policy/explain?serial=SN-EXPLAIN&action=key.issue&person=carla&party=courier&roles=fleet-manager&capabilities=discharge&holderPerson=dan&holderParty=courier',
      { as: cast.ownerA },
    );
    expect(driverKeys.body).toMatchObject({
      allowed: false,
      code: 'no-relationship',
      relationships: [],
    });
    const mine = await app.request(
      'GET',
      '/v1/policy/explain?serial=SN-EXPLAIN&action=parameters.charge-voltage',
      { as: carl },
    );
    expect(mine.body).toMatchObject({
      allowed: true,
      rule: 'actions.parameters.charge-voltage.performers[2]',
      relationship: 'cell-specialist',
      approvalsRequired: [
        { anyOf: [{ relationship: 'owner', role: 'owner-admin' }] },
        { anyOf: [{ relationship: 'cell-specialist', role: 'cell-engineer' }] },
      ],
    });
    await app.request('POST', '/v1/batteries/SN-EXPLAIN/parameter-proposals', {
      as: finance,
      body: { proposalId: 'v-1', parameters: { chargeCellVoltageMaxV: 4.2 } },
    });
    const approve = await app.request(
      'GET',
      '/v1/policy/explain?serial=SN-EXPLAIN&action=proposal.approve&proposalId=v-1&person=tom&party=workshop&roles=technician',
      { as: cast.ownerA },
    );
    expect(approve.body).toMatchObject({
      allowed: false,
      code: 'not-an-eligible-approver',
      approvalsMissing: [{ slot: 0 }, { slot: 1 }],
    });
    expect(
      (
        await app.request('GET', '/v1/policy/explain?serial=SN-EXPLAIN&action=lease.end', {
          as: cast.outsider,
        })
      ).status,
    ).toBe(404);
    expect(
      (await app.request('GET', '/v1/policy/explain?action=nonsense', { as: cast.ownerA })).status,
    ).toBe(400);
  });

  it('changes the policy only with a second platform admin, and every later decision names the new version', async () => {
    expect((await app.request('GET', '/v1/policy', { as: cast.ownerA })).body.version).toBe(1);
    const invalid = await app.request('POST', '/v1/policy/proposals', {
      as: cast.platform,
      body: {
        document: {
          ...DEFAULT_POLICY_DOCUMENT,
          regulatoryReadAccess: { capability: 'status.read', relationships: ['operator'] },
        },
      },
    });
    expect(invalid).toMatchObject({
      status: 422,
      body: { code: 'policy-invalid', problems: [expect.stringContaining('Art. 14')] },
    });

    const stricter = TRANSFER_NEEDS_FINANCE;
    expect(
      (
        await app.request('POST', '/v1/policy/proposals', {
          as: cast.ownerA,
          body: { document: stricter },
        })
      ).status,
    ).toBe(403);
    const proposed = await app.request('POST', '/v1/policy/proposals', {
      as: cast.platform,
      body: { proposalId: 'strict-transfers', document: stricter },
    });
    expect(proposed.status).toBe(201);
    expect(
      (
        await app.request('POST', '/v1/policy/proposals/strict-transfers/approve', {
          as: cast.platform,
        })
      ).body.code,
    ).toBe('proposer-cannot-approve');
    const adopted = await app.request('POST', '/v1/policy/proposals/strict-transfers/approve', {
      as: platform2,
    });
    expect(adopted.body.events.map((e: { type: string }) => e.type)).toEqual([
      'PolicyChangeApproved',
      'PolicyAdopted',
    ]);
    expect((await app.request('GET', '/v1/policy', { as: cast.ownerA })).body.version).toBe(2);

    // Under version 2 the receiving lessor's acceptance alone no longer completes a transfer.
    await provision(app, cast, 'SN-V2');
    await app.request('POST', '/v1/batteries/SN-V2/transfers', {
      as: cast.ownerA,
      body: { toOwnerId: 'lessor-b', transferId: 't' },
    });
    const accepted = await app.request('POST', '/v1/batteries/SN-V2/transfers/t/accept', {
      as: cast.ownerB,
    });
    expect(accepted.body.events.map((e: { type: string }) => e.type)).toEqual([
      'OwnershipTransferAccepted',
    ]);
    const completed = await app.request('POST', '/v1/batteries/SN-V2/transfers/t/approve', {
      as: finance,
    });
    expect(completed.body.events.map((e: { type: string }) => e.type)).toEqual([
      'OwnershipTransferApproved',
      'OwnershipTransferred',
    ]);

    const history = await app.request('GET', '/v1/batteries/SN-V2/history', { as: cast.ownerB });
    expect(history.body.items.map((e: { policyVersion: number }) => e.policyVersion)).toEqual([
      2, 2, 2, 2, 2,
    ]);
  });
});
