import { deciderSpecification } from '../../../test/support/decider-specification';
import {
  actors,
  context,
  hardLimits,
  history,
  holderKey,
  issueKeyCommand,
  parties,
  provisionCommand,
  NOW,
} from '../../../test/support/battery-fixtures';
import { batteryDecider } from './battery-decider';

const spec = deciderSpecification(batteryDecider);
const provisioned = () => history(provisionCommand());
const leased = () =>
  history(provisionCommand(), {
    type: 'AssignOperator',
    leaseId: 'lease-1',
    operator: parties.courier,
    context: context(actors.ownerA),
  });
const transferRequested = () =>
  history(provisionCommand(), {
    type: 'RequestOwnershipTransfer',
    transferId: 't-1',
    to: parties.lessorB,
    context: context(actors.ownerA),
  });

describe('provisioning', () => {
  it('records serial, limits, device key and first owner, acted by the provisioner', () => {
    spec
      .given([])
      .when(provisionCommand())
      .then([
        {
          type: 'BatteryProvisioned',
          data: {
            serial: 'SN-1',
            ownerId: 'lessor-a',
            manufacturerId: 'oem',
            hardLimits,
            parameters: { chargeCellVoltageMaxV: 4.25, socMinPercent: 0, socMaxPercent: 100 },
          },
          meta: {
            actor: { personId: 'olga', partyId: 'oem', role: 'provisioner' },
            requestId: 'req-test',
          },
        },
      ]);
  });

  it('provisions a serial once', () => {
    spec
      .given(provisioned())
      .when(provisionCommand())
      .thenThrows('serial-already-provisioned', 'conflict');
  });

  it('refuses anyone but a provisioner of the manufacturer', () => {
    spec
      .given([])
      .when(provisionCommand({ context: context(actors.ownerA) }))
      .thenThrows('no-relationship', 'forbidden');
  });

  it('refuses a manufacturer that is not a manufacturer party', () => {
    spec
      .given([])
      .when(provisionCommand({ manufacturer: parties.lessorA, context: context(actors.ownerA) }))
      .thenThrows('not-a-manufacturer', 'rule-violated');
  });

  it('refuses a device key that already identifies another battery', () => {
    spec
      .given([])
      .when(provisionCommand({ deviceKeyRegisteredTo: 'SN-OTHER' }))
      .thenThrows('device-key-already-registered', 'conflict');
  });

  it('needs a lessor as first owner', () => {
    spec
      .given([])
      .when(provisionCommand({ firstOwner: parties.courier }))
      .thenThrows('not-a-lessor', 'rule-violated');
  });

  it('refuses incoherent hard limits', () => {
    spec
      .given([])
      .when(provisionCommand({ hardLimits: { ...hardLimits, cellVoltageMinV: 4.3 } }))
      .thenThrows('hard-limits-incoherent', 'rule-violated');
  });

  it('refuses initial parameters outside the hard limits (the 5.25 V typo)', () => {
    const typo = {
      socMinPercent: 10,
      socMaxPercent: 90,
      chargeCellVoltageMaxV: 5.25,
      chargeCurrentLimitA: 50,
      dischargeCurrentLimitA: 100,
    };
    const error = spec
      .given([])
      .when(provisionCommand({ parameters: typo }))
      .thenThrows('outside-hard-limits', 'rule-violated');
    expect(error.message).toContain('5.25 V');
  });
});

describe('ownership transfer', () => {
  const transferCancelledByReceiver = () =>
    history(
      provisionCommand(),
      {
        type: 'RequestOwnershipTransfer',
        transferId: 't-1',
        to: parties.lessorB,
        context: context(actors.ownerA),
      },
      { type: 'CancelOwnershipTransfer', transferId: 't-1', context: context(actors.ownerB) },
    );

  it('is requested by the owner towards another lessor', () => {
    spec
      .given(provisioned())
      .when({
        type: 'RequestOwnershipTransfer',
        transferId: 't-1',
        to: parties.lessorB,
        context: context(actors.ownerA, 'end of quarter'),
      })
      .then([
        {
          type: 'OwnershipTransferRequested',
          data: { transferId: 't-1', fromOwnerId: 'lessor-a', toOwnerId: 'lessor-b' },
          meta: { reason: 'end of quarter' },
        },
      ]);
  });

  it('refuses a transfer requested by another lessor, to whom the battery does not exist', () => {
    spec
      .given(provisioned())
      .when({
        type: 'RequestOwnershipTransfer',
        transferId: 't',
        to: parties.lessorB,
        context: context(actors.ownerB),
      })
      .thenThrows('battery-not-found', 'not-found');
  });

  it("refuses a transfer requested by the owner's fleet finance, not its owner admin", () => {
    spec
      .given(provisioned())
      .when({
        type: 'RequestOwnershipTransfer',
        transferId: 't',
        to: parties.lessorB,
        context: context(actors.financeA),
      })
      .thenThrows('role-required');
  });

  it('refuses a transfer towards a party that is not a lessor', () => {
    spec
      .given(provisioned())
      .when({
        type: 'RequestOwnershipTransfer',
        transferId: 't',
        to: parties.courier,
        context: context(actors.ownerA),
      })
      .thenThrows('not-a-lessor');
  });

  it('refuses a transfer towards the current owner', () => {
    spec
      .given(provisioned())
      .when({
        type: 'RequestOwnershipTransfer',
        transferId: 't',
        to: parties.lessorA,
        context: context(actors.ownerA),
      })
      .thenThrows('already-owner');
  });

  it('allows one open transfer at a time', () => {
    spec
      .given(transferRequested())
      .when({
        type: 'RequestOwnershipTransfer',
        transferId: 't-2',
        to: parties.lessorB,
        context: context(actors.ownerA),
      })
      .thenThrows('transfer-already-open', 'conflict');
  });

  it('completes on acceptance by the receiving lessor and revokes every key of the old authority in the same append', () => {
    const past = history(
      provisionCommand(),
      {
        type: 'AssignOperator',
        leaseId: 'lease-1',
        operator: parties.courier,
        context: context(actors.ownerA),
      },
      issueKeyCommand({ keyId: 'tech' }),
      issueKeyCommand({
        keyId: 'driver',
        holder: { personId: 'dan', party: parties.courier },
        publicKey: holderKey('dan'),
        capabilities: ['discharge'],
        context: context(actors.fleetManager),
      }),
      {
        type: 'RequestOwnershipTransfer',
        transferId: 't-1',
        to: parties.lessorB,
        context: context(actors.ownerA),
      },
    );
    const events = spec
      .given(past)
      .when({
        type: 'ApproveOwnershipTransfer',
        transferId: 't-1',
        context: context(actors.ownerB),
      })
      .then([
        {
          type: 'OwnershipTransferAccepted',
          data: { approval: { relationship: 'receiving-lessor', approver: { personId: 'bob' } } },
          meta: { actor: { partyId: 'lessor-b', role: 'owner-admin' }, policyVersion: 1 },
        },
        { type: 'LeaseEnded', data: { leaseId: 'lease-1', cause: 'ownership-transferred' } },
        { type: 'KeyRevoked', data: { keyId: 'driver', cause: 'ownership-transferred' } },
        { type: 'KeyRevoked', data: { keyId: 'tech', cause: 'ownership-transferred' } },
        { type: 'OwnershipTransferred', data: { fromOwnerId: 'lessor-a', toOwnerId: 'lessor-b' } },
      ]);
    const after = [...past, ...events].reduce(batteryDecider.evolve, batteryDecider.initialState());
    expect(after).toMatchObject({ ownerId: 'lessor-b', keys: [], lease: null, openTransfer: null });
  });

  it('refuses a transfer accepted by the requesting owner', () => {
    spec
      .given(transferRequested())
      .when({
        type: 'ApproveOwnershipTransfer',
        transferId: 't-1',
        context: context(actors.ownerA),
      })
      .thenThrows('proposer-cannot-approve', 'forbidden');
  });

  it('refuses the acceptance of a transfer that was never requested', () => {
    spec
      .given(transferRequested())
      .when({
        type: 'ApproveOwnershipTransfer',
        transferId: 'other',
        context: context(actors.ownerB),
      })
      .thenThrows('transfer-not-found', 'not-found');
  });

  it.each([
    ['the giving lessor', actors.ownerA],
    ['the receiving lessor', actors.ownerB],
  ])('can be cancelled by %s', (_side, actor) => {
    spec
      .given(transferRequested())
      .when({ type: 'CancelOwnershipTransfer', transferId: 't-1', context: context(actor) })
      .then([{ type: 'OwnershipTransferCancelled', data: { cancelledByPartyId: actor.partyId } }]);
  });

  it('cannot be cancelled by an operator, to whom the battery does not exist', () => {
    spec
      .given(transferRequested())
      .when({
        type: 'CancelOwnershipTransfer',
        transferId: 't-1',
        context: context(actors.fleetManager),
      })
      .thenThrows('battery-not-found', 'not-found');
  });

  it('cannot be accepted once cancelled', () => {
    spec
      .given(transferCancelledByReceiver())
      .when({
        type: 'ApproveOwnershipTransfer',
        transferId: 't-1',
        context: context(actors.ownerB),
      })
      .thenThrows('battery-not-found', 'not-found');
  });
});

describe('operator lease', () => {
  const leasedWithDriverKey = () =>
    history(
      provisionCommand(),
      {
        type: 'AssignOperator',
        leaseId: 'lease-1',
        operator: parties.courier,
        context: context(actors.ownerA),
      },
      issueKeyCommand({
        keyId: 'driver',
        holder: { personId: 'dan', party: parties.courier },
        publicKey: holderKey('dan'),
        capabilities: ['charge'],
        context: context(actors.fleetManager),
      }),
    );

  it('is assigned by the owner to an operator', () => {
    spec
      .given(provisioned())
      .when({
        type: 'AssignOperator',
        leaseId: 'l',
        operator: parties.courier,
        context: context(actors.ownerA),
      })
      .then([{ type: 'LeaseAssigned', data: { operatorId: 'courier' } }]);
  });

  it('refuses a party that is not an operator', () => {
    spec
      .given(provisioned())
      .when({
        type: 'AssignOperator',
        leaseId: 'l',
        operator: parties.workshop,
        context: context(actors.ownerA),
      })
      .thenThrows('not-an-operator');
  });

  it('allows one lease at a time', () => {
    spec
      .given(leased())
      .when({
        type: 'AssignOperator',
        leaseId: 'l2',
        operator: parties.courier,
        context: context(actors.ownerA),
      })
      .thenThrows('lease-already-active', 'conflict');
  });

  it('ends by the owner, revoking the keys issued under it', () => {
    spec
      .given(leasedWithDriverKey())
      .when({ type: 'EndLease', leaseId: 'lease-1', context: context(actors.ownerA) })
      .then([
        { type: 'LeaseEnded', data: { cause: 'ended-by-owner' } },
        { type: 'KeyRevoked', data: { keyId: 'driver', cause: 'lease-ended' } },
      ]);
  });

  it('is not ended by the operator', () => {
    spec
      .given(leasedWithDriverKey())
      .when({ type: 'EndLease', leaseId: 'lease-1', context: context(actors.fleetManager) })
      .thenThrows('no-relationship');
  });
});

describe('keys: the issuer matrix', () => {
  const issued = () => history(provisionCommand(), issueKeyCommand());
  const revoked = () =>
    history(provisionCommand(), issueKeyCommand(), {
      type: 'RevokeKey',
      keyId: 'key-1',
      reason: 'left the company',
      context: context(actors.ownerA),
    });
  const asOperator = (overrides: Parameters<typeof issueKeyCommand>[0]) =>
    issueKeyCommand({
      holder: { personId: 'dan', party: parties.courier },
      publicKey: holderKey('dan'),
      context: context(actors.fleetManager),
      ...overrides,
    });

  it('lets the owner issue layers 1–2 to anyone, recording owner authority', () => {
    spec
      .given(provisioned())
      .when(
        issueKeyCommand({
          capabilities: ['diagnostics.read', 'firmware.install-signed', 'charge'],
        }),
      )
      .then([
        {
          type: 'KeyIssued',
          data: {
            keyId: 'key-1',
            holder: { personId: 'tom', partyId: 'workshop' },
            authority: { relationship: 'owner', partyId: 'lessor-a' },
          },
          meta: { actor: { role: 'owner-admin' } },
        },
      ]);
  });

  it('refuses layer 3 without approvals', () => {
    spec
      .given(provisioned())
      .when(issueKeyCommand({ capabilities: ['soc-window.change'] }))
      .thenThrows('issuer-matrix-exceeded', 'forbidden');
  });

  it('refuses layer 4 to everyone', () => {
    spec
      .given(provisioned())
      .when(issueKeyCommand({ capabilities: ['hard-limits.exceed'] }))
      .thenThrows('physical-harm-prohibited', 'forbidden');
  });

  it('lets the operator issue layer 1 to its own people, under its lease', () => {
    spec
      .given(leased())
      .when(asOperator({ capabilities: ['discharge'] }))
      .then([
        {
          type: 'KeyIssued',
          data: { authority: { relationship: 'operator', leaseId: 'lease-1' } },
        },
      ]);
  });

  it('refuses the operator anything beyond layer 1', () => {
    spec
      .given(leased())
      .when(asOperator({ capabilities: ['diagnostics.read'] }))
      .thenThrows('issuer-matrix-exceeded');
  });

  it('refuses the operator a key for someone outside its own party', () => {
    spec
      .given(leased())
      .when(
        asOperator({
          capabilities: ['discharge'],
          holder: { personId: 'tom', party: parties.workshop },
        }),
      )
      .thenThrows('holder-outside-own-party');
  });

  it('refuses an operator without a lease, to whom the battery does not exist', () => {
    spec
      .given(provisioned())
      .when(asOperator({ capabilities: ['discharge'] }))
      .thenThrows('battery-not-found', 'not-found');
  });

  it('refuses a driver of the operator, who is not its fleet manager', () => {
    spec
      .given(leased())
      .when(
        asOperator({
          capabilities: ['discharge'],
          holder: { personId: 'eve', party: parties.courier },
          context: context(actors.driver),
        }),
      )
      .thenThrows('role-required');
  });

  it('never lets an issuer issue to themselves', () => {
    spec
      .given(provisioned())
      .when(issueKeyCommand({ holder: { personId: 'alice', party: parties.lessorA } }))
      .thenThrows('self-issuance');
  });

  it('refuses an empty validity window', () => {
    spec
      .given(provisioned())
      .when(issueKeyCommand({ notAfter: NOW }))
      .thenThrows('empty-validity-window', 'rule-violated');
  });

  it('refuses a validity window already in the past', () => {
    spec
      .given(provisioned())
      .when(
        issueKeyCommand({ notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') }),
      )
      .thenThrows('already-expired');
  });

  it('refuses a key id already in use', () => {
    spec
      .given(issued())
      .when(issueKeyCommand({ publicKey: holderKey('other') }))
      .thenThrows('key-id-taken', 'conflict');
  });

  it('refuses a public key already active under another key id', () => {
    spec
      .given(issued())
      .when(issueKeyCommand({ keyId: 'key-2' }))
      .thenThrows('public-key-already-active', 'conflict');
  });

  it('revokes by the owner, with a reason', () => {
    spec
      .given(issued())
      .when({
        type: 'RevokeKey',
        keyId: 'key-1',
        reason: 'left the company',
        context: context(actors.ownerA),
      })
      .then([
        {
          type: 'KeyRevoked',
          data: { keyId: 'key-1', cause: 'revoked', reason: 'left the company' },
        },
      ]);
  });

  it('revokes a key once', () => {
    spec
      .given(revoked())
      .when({ type: 'RevokeKey', keyId: 'key-1', reason: 'again', context: context(actors.ownerA) })
      .thenThrows('key-already-revoked', 'conflict');
  });

  it('never reuses the id of a revoked key', () => {
    spec
      .given(revoked())
      .when(issueKeyCommand({ publicKey: holderKey('new') }))
      .thenThrows('key-id-taken');
  });

  it('refuses a revocation by another lessor, to whom the battery does not exist', () => {
    spec
      .given(issued())
      .when({ type: 'RevokeKey', keyId: 'key-1', reason: 'x', context: context(actors.ownerB) })
      .thenThrows('battery-not-found', 'not-found');
  });

  it('refuses to revoke a key that was never issued', () => {
    spec
      .given(issued())
      .when({ type: 'RevokeKey', keyId: 'nope', reason: 'x', context: context(actors.ownerA) })
      .thenThrows('key-not-found', 'not-found');
  });
});

describe('theft', () => {
  const stolen = () =>
    history(provisionCommand(), { type: 'ReportStolen', context: context(actors.ownerA) });

  it('is reported by the owner', () => {
    spec
      .given(provisioned())
      .when({ type: 'ReportStolen', context: context(actors.ownerA) })
      .then([{ type: 'BatteryReportedStolen' }]);
  });

  it('locks the battery once reported', () => {
    const state = stolen().reduce(batteryDecider.evolve, batteryDecider.initialState());
    expect(state).toMatchObject({ status: 'stolen' });
  });

  it('is not reported by an operator without a lease, to whom the battery does not exist', () => {
    spec
      .given(provisioned())
      .when({ type: 'ReportStolen', context: context(actors.fleetManager) })
      .thenThrows('battery-not-found', 'not-found');
  });

  it('freezes ownership transfers', () => {
    spec
      .given(stolen())
      .when({
        type: 'RequestOwnershipTransfer',
        transferId: 't',
        to: parties.lessorB,
        context: context(actors.ownerA),
      })
      .thenThrows('battery-stolen', 'conflict');
  });

  it('freezes operator leases', () => {
    spec
      .given(stolen())
      .when({
        type: 'AssignOperator',
        leaseId: 'l',
        operator: parties.courier,
        context: context(actors.ownerA),
      })
      .thenThrows('battery-stolen');
  });

  it('freezes new keys', () => {
    spec.given(stolen()).when(issueKeyCommand()).thenThrows('battery-stolen');
  });

  it('is reported once', () => {
    spec
      .given(stolen())
      .when({ type: 'ReportStolen', context: context(actors.ownerA) })
      .thenThrows('already-reported-stolen');
  });
});

describe('bundle version', () => {
  it('stays put when a transfer is requested and cancelled: nothing the device enforces changed', () => {
    const events = history(
      provisionCommand(),
      {
        type: 'RequestOwnershipTransfer',
        transferId: 't-1',
        to: parties.lessorB,
        context: context(actors.ownerA),
      },
      { type: 'CancelOwnershipTransfer', transferId: 't-1', context: context(actors.ownerA) },
    );
    expect(events.reduce(batteryDecider.evolve, batteryDecider.initialState())).toMatchObject({
      bundleVersion: 1,
    });
  });

  it('advances when a key is issued: the device enforces a new key', () => {
    const withKey = history(provisionCommand(), issueKeyCommand());
    expect(withKey.reduce(batteryDecider.evolve, batteryDecider.initialState())).toMatchObject({
      bundleVersion: 2,
    });
  });

  it('is refused for commands on a battery that does not exist', () => {
    spec.given([]).when(issueKeyCommand()).thenThrows('battery-not-found', 'not-found');
  });
});
