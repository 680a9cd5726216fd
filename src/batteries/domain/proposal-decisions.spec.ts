import { deciderSpecification } from '../../../test/support/decider-specification';
import {
  actors,
  context,
  history,
  parties,
  provisionCommand,
  NOW,
} from '../../../test/support/battery-fixtures';
import type { BatteryCommand, ProposeParameterChange } from './battery-commands';
import { batteryDecider } from './battery-decider';

const spec = deciderSpecification(batteryDecider);
const inAWeek = new Date(NOW.getTime() + 7 * 86_400_000);
const contracted = (): BatteryCommand[] => [
  provisionCommand(),
  {
    type: 'ContractSpecialist',
    contractId: 'c-1',
    specialist: parties.cells,
    context: context(actors.ownerA),
  },
];
const proposeSoc = (
  actor = actors.financeA,
  parameters: Record<string, number> = { socMinPercent: 5, socMaxPercent: 95 },
): ProposeParameterChange => ({
  type: 'ProposeParameterChange',
  proposalId: 'p-1',
  parameters,
  expiresAt: inAWeek,
  context: context(actor, 'more range for the winter'),
});
const approveAs = (
  actor: (typeof actors)[keyof typeof actors],
  proposalId = 'p-1',
): BatteryCommand => ({ type: 'ApproveProposal', proposalId, context: context(actor) });

describe('two keys for one lock: widening the state-of-charge window', () => {
  it('records the proposal with old and new values and the approvals it needs', () => {
    spec
      .given(history(...contracted()))
      .when(proposeSoc())
      .then([
        {
          type: 'ChangeProposed',
          data: {
            kind: 'parameter-change',
            actions: ['parameters.soc-window'],
            parameters: {
              from: { socMinPercent: 0, socMaxPercent: 100 },
              to: { socMinPercent: 5, socMaxPercent: 95, chargeCellVoltageMaxV: 4.25 },
            },
            requiredApprovals: [
              { anyOf: [{ relationship: 'owner', role: 'owner-admin' }] },
              { anyOf: [{ relationship: 'cell-specialist', role: 'cell-engineer' }] },
            ],
          },
          meta: {
            actor: { personId: 'fred', role: 'fleet-finance' },
            policyVersion: 1,
            reason: 'more range for the winter',
          },
        },
      ]);
  });

  it('stays pending with only the owner, and applies when the cell specialist signs too', () => {
    const pending = history(...contracted(), proposeSoc(), approveAs(actors.ownerA));
    const state = pending.reduce(batteryDecider.evolve, batteryDecider.initialState());
    expect(state).toMatchObject({
      parameters: { socMinPercent: 0 },
      proposals: [{ proposalId: 'p-1', approvals: [{ approver: { personId: 'alice' } }] }],
    });
    spec
      .given(pending)
      .when(approveAs(actors.cellEngineer))
      .then([
        {
          type: 'ProposalApproved',
          data: {
            approval: {
              relationship: 'cell-specialist',
              approver: { personId: 'carl', role: 'cell-engineer' },
            },
          },
        },
        {
          type: 'ParametersChanged',
          data: {
            proposalId: 'p-1',
            from: { socMinPercent: 0 },
            to: { socMinPercent: 5, socMaxPercent: 95 },
          },
        },
      ]);
  });

  it('never counts the proposer, even when they hold an approving role', () => {
    const proposedByOwnerAdmin = history(...contracted(), proposeSoc(actors.ownerA));
    spec
      .given(proposedByOwnerAdmin)
      .when(approveAs(actors.ownerA))
      .thenThrows('proposer-cannot-approve', 'forbidden');
    // Another owner-admin of the same lessor can fill the owner's slot.
    spec
      .given(proposedByOwnerAdmin)
      .when(approveAs(actors.ownerA2))
      .then([{ type: 'ProposalApproved' }]);
  });

  it('lets one person approve once and in one role only', () => {
    const approvedOnce = history(
      ...contracted(),
      proposeSoc(actors.cellEngineer),
      approveAs(actors.multiRole),
    );
    spec
      .given(approvedOnce)
      .when(approveAs(actors.multiRole))
      .thenThrows('already-approved', 'conflict');
    spec
      .given(approvedOnce)
      .when(approveAs(actors.ownerA))
      .thenThrows('not-an-eligible-approver', 'forbidden');
  });

  it('refuses approvers with no slot to fill', () => {
    spec
      .given(history(...contracted(), proposeSoc()))
      .when(approveAs(actors.fleetManager))
      .thenThrows('battery-not-found', 'not-found');
  });

  it('refuses the 5.25 V typo at proposal, whatever approvals might follow', () => {
    const error = spec
      .given(history(...contracted()))
      .when(proposeSoc(actors.cellEngineer, { chargeCellVoltageMaxV: 5.25 }))
      .thenThrows('outside-hard-limits', 'rule-violated');
    expect(error.message).toContain('5.25 V');
  });

  it('asks for the approvals of every parameter group it touches', () => {
    spec
      .given(history(...contracted()))
      .when(proposeSoc(actors.cellEngineer, { socMaxPercent: 95, dischargeCurrentLimitA: 150 }))
      .then([
        {
          type: 'ChangeProposed',
          data: {
            actions: ['parameters.soc-window', 'parameters.rate-limits'],
            requiredApprovals: [
              { anyOf: [{ role: 'owner-admin' }] },
              { anyOf: [{ role: 'cell-engineer' }] },
              { anyOf: [{ role: 'fleet-finance' }, { role: 'cell-engineer' }] },
            ],
          },
        },
      ]);
  });

  it('cannot be proposed by someone the policy does not name, nor without a change', () => {
    spec
      .given(history(...contracted()))
      .when(proposeSoc(actors.fleetManager))
      .thenThrows('battery-not-found', 'not-found');
    spec
      .given(history(provisionCommand()))
      .when(proposeSoc(actors.cellEngineer))
      .thenThrows('battery-not-found', 'not-found');
    spec
      .given(history(...contracted()))
      .when(proposeSoc(actors.financeA, { socMinPercent: 0 }))
      .thenThrows('no-change', 'rule-violated');
  });

  it('can be rejected by an eligible approver, or withdrawn by its proposer, and then no longer approved', () => {
    const pending = history(...contracted(), proposeSoc());
    const [rejected] = spec
      .given(pending)
      .when({
        type: 'RejectProposal',
        proposalId: 'p-1',
        reason: 'too aggressive',
        context: context(actors.cellEngineer),
      })
      .then([{ type: 'ProposalRejected' }]);
    spec
      .given([...pending, rejected])
      .when(approveAs(actors.ownerA))
      .thenThrows('proposal-not-found', 'not-found');
    spec
      .given(pending)
      .when({
        type: 'RejectProposal',
        proposalId: 'p-1',
        reason: 'x',
        context: context(actors.fleetManager),
      })
      .thenThrows('battery-not-found', 'not-found');
    spec
      .given(pending)
      .when({ type: 'WithdrawProposal', proposalId: 'p-1', context: context(actors.financeA) })
      .then([{ type: 'ProposalWithdrawn' }]);
    spec
      .given(pending)
      .when({ type: 'WithdrawProposal', proposalId: 'p-1', context: context(actors.ownerA) })
      .thenThrows('not-the-proposer');
  });

  it('expires: an expired proposal cannot be approved, and a new one closes it', () => {
    const pending = history(...contracted(), proposeSoc());
    const later = (actor: (typeof actors)[keyof typeof actors]) => ({
      ...context(actor),
      now: new Date(inAWeek.getTime() + 1),
    });
    spec
      .given(pending)
      .when({ type: 'ApproveProposal', proposalId: 'p-1', context: later(actors.ownerA) })
      .thenThrows('proposal-expired', 'conflict');
    spec
      .given(pending)
      .when({ ...proposeSoc(), proposalId: 'p-2' })
      .thenThrows('proposal-already-open', 'conflict');
    spec
      .given(pending)
      .when({
        ...proposeSoc(),
        proposalId: 'p-2',
        expiresAt: new Date(inAWeek.getTime() + 86_400_000),
        context: later(actors.financeA),
      })
      .then([
        { type: 'ProposalExpired', data: { proposalId: 'p-1' } },
        { type: 'ChangeProposed', data: { proposalId: 'p-2' } },
      ]);
  });

  it('never reuses a proposal id, even after the proposal closed', () => {
    const withdrawn = history(...contracted(), proposeSoc(), {
      type: 'WithdrawProposal',
      proposalId: 'p-1',
      context: context(actors.financeA),
    });
    spec.given(withdrawn).when(proposeSoc()).thenThrows('proposal-id-taken', 'conflict');
  });

  it('advances the bundle version only when the change is applied', () => {
    const before = history(...contracted(), proposeSoc(), approveAs(actors.ownerA)).reduce(
      batteryDecider.evolve,
      batteryDecider.initialState(),
    );
    const after = history(
      ...contracted(),
      proposeSoc(),
      approveAs(actors.ownerA),
      approveAs(actors.cellEngineer),
    ).reduce(batteryDecider.evolve, batteryDecider.initialState());
    expect(before).toMatchObject({ bundleVersion: 1 });
    expect(after).toMatchObject({
      bundleVersion: 2,
      parameters: { socMinPercent: 5 },
      proposals: [],
    });
  });
});

describe('recovering a stolen battery', () => {
  const stolen = () =>
    history(provisionCommand(), { type: 'ReportStolen', context: context(actors.ownerA) });
  const requestRecovery = (actor = actors.ownerA): BatteryCommand => ({
    type: 'RequestRecovery',
    proposalId: 'r-1',
    expiresAt: inAWeek,
    context: context(actor),
  });

  it('needs the owner and one more approver', () => {
    const requested = history(
      provisionCommand(),
      { type: 'ReportStolen', context: context(actors.ownerA) },
      requestRecovery(),
    );
    expect(requested.reduce(batteryDecider.evolve, batteryDecider.initialState())).toMatchObject({
      status: 'stolen',
    });
    spec
      .given(requested)
      .when(approveAs(actors.platformAdmin, 'r-1'))
      .then([
        { type: 'ProposalApproved', data: { approval: { relationship: 'platform' } } },
        { type: 'BatteryRecovered', data: { proposalId: 'r-1' } },
      ]);
    spec
      .given(requested)
      .when(approveAs(actors.financeA, 'r-1'))
      .then([{ type: 'ProposalApproved' }, { type: 'BatteryRecovered' }]);
    spec
      .given(requested)
      .when(approveAs(actors.ownerA, 'r-1'))
      .thenThrows('proposer-cannot-approve');
  });

  it('is asked by the owner only, and only for a stolen battery', () => {
    spec
      .given(stolen())
      .when(requestRecovery(actors.platformAdmin))
      .thenThrows('no-relationship', 'forbidden');
    spec
      .given(history(provisionCommand()))
      .when(requestRecovery())
      .thenThrows('not-stolen', 'conflict');
  });

  it('unlocks the battery: new keys may be issued again', () => {
    const recovered = history(
      provisionCommand(),
      { type: 'ReportStolen', context: context(actors.ownerA) },
      requestRecovery(),
      approveAs(actors.platformAdmin, 'r-1'),
    );
    expect(recovered.reduce(batteryDecider.evolve, batteryDecider.initialState())).toMatchObject({
      status: 'active',
      bundleVersion: 3,
    });
  });
});

describe('cell specialist contract', () => {
  it('is made and ended by the owner with a cell-specialist party, and ends with the ownership', () => {
    spec
      .given(history(provisionCommand()))
      .when({
        type: 'ContractSpecialist',
        contractId: 'c',
        specialist: parties.workshop,
        context: context(actors.ownerA),
      })
      .thenThrows('not-a-cell-specialist');
    spec
      .given(history(...contracted()))
      .when({
        type: 'ContractSpecialist',
        contractId: 'c2',
        specialist: parties.cells,
        context: context(actors.ownerA),
      })
      .thenThrows('specialist-already-contracted');
    spec
      .given(history(...contracted()))
      .when({
        type: 'EndSpecialistContract',
        contractId: 'c-1',
        context: context(actors.cellEngineer),
      })
      .thenThrows('no-relationship');
    spec
      .given(history(...contracted()))
      .when({ type: 'EndSpecialistContract', contractId: 'c-1', context: context(actors.ownerA) })
      .then([{ type: 'SpecialistContractEnded', data: { cause: 'ended-by-owner' } }]);
    const transferred = history(
      ...contracted(),
      proposeSoc(),
      {
        type: 'RequestOwnershipTransfer',
        transferId: 't',
        to: parties.lessorB,
        context: context(actors.ownerA),
      },
      { type: 'ApproveOwnershipTransfer', transferId: 't', context: context(actors.ownerB) },
    );
    expect(transferred.map((e) => e.type)).toEqual(
      expect.arrayContaining(['SpecialistContractEnded', 'ProposalRejected']),
    );
    expect(transferred.reduce(batteryDecider.evolve, batteryDecider.initialState())).toMatchObject({
      specialist: null,
      proposals: [],
      ownerId: 'lessor-b',
    });
  });
});
