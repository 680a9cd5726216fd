import { deciderSpecification } from '../../../test/support/decider-specification';
import {
  actors,
  context,
  history,
  parties,
  provisionCommand,
  IN_A_WEEK,
  contractedBattery,
  proposeSocWindow,
  approveProposalAs,
} from '../../../test/support/battery-fixtures';
import type { BatteryCommand } from './battery-commands';
import { batteryDecider } from './battery-decider';

const spec = deciderSpecification(batteryDecider);
const inAWeek = IN_A_WEEK;
const contracted = contractedBattery;
const proposeSoc = proposeSocWindow;
const approveAs = approveProposalAs;

describe('two keys for one lock: widening the state-of-charge window', () => {
  const pending = () => history(...contracted(), proposeSoc());
  const approvedByOwner = () => history(...contracted(), proposeSoc(), approveAs(actors.ownerA));
  const proposedByOwnerAdmin = () => history(...contracted(), proposeSoc(actors.ownerA));
  const approvedOnceByMultiRole = () =>
    history(...contracted(), proposeSoc(actors.cellEngineer), approveAs(actors.multiRole));
  const rejected = () =>
    history(...contracted(), proposeSoc(), {
      type: 'RejectProposal',
      proposalId: 'p-1',
      reason: 'too aggressive',
      context: context(actors.cellEngineer),
    });
  const afterExpiry = (actor: (typeof actors)[keyof typeof actors]) => ({
    ...context(actor),
    now: new Date(inAWeek.getTime() + 1),
  });

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

  it("stays pending with only the owner's approval", () => {
    const state = approvedByOwner().reduce(batteryDecider.evolve, batteryDecider.initialState());
    expect(state).toMatchObject({
      parameters: { socMinPercent: 0 },
      proposals: [{ proposalId: 'p-1', approvals: [{ approver: { personId: 'alice' } }] }],
    });
  });

  it('applies when the cell specialist signs after the owner', () => {
    spec
      .given(approvedByOwner())
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
    spec
      .given(proposedByOwnerAdmin())
      .when(approveAs(actors.ownerA))
      .thenThrows('proposer-cannot-approve', 'forbidden');
  });

  it("lets another owner admin of the proposer's lessor fill the owner's slot", () => {
    spec
      .given(proposedByOwnerAdmin())
      .when(approveAs(actors.ownerA2))
      .then([{ type: 'ProposalApproved' }]);
  });

  it('lets one person approve once', () => {
    spec
      .given(approvedOnceByMultiRole())
      .when(approveAs(actors.multiRole))
      .thenThrows('already-approved', 'conflict');
  });

  it("counts a person with several roles in one role only: the owner's slot they filled takes no other owner admin", () => {
    spec
      .given(approvedOnceByMultiRole())
      .when(approveAs(actors.ownerA))
      .thenThrows('not-an-eligible-approver', 'forbidden');
  });

  it('refuses approvers with no slot to fill', () => {
    spec
      .given(pending())
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

  it('cannot be proposed by someone the policy does not name', () => {
    spec
      .given(history(...contracted()))
      .when(proposeSoc(actors.fleetManager))
      .thenThrows('battery-not-found', 'not-found');
  });

  it('cannot be proposed by a cell engineer whose party holds no specialist contract', () => {
    spec
      .given(history(provisionCommand()))
      .when(proposeSoc(actors.cellEngineer))
      .thenThrows('battery-not-found', 'not-found');
  });

  it('cannot be proposed without a change', () => {
    spec
      .given(history(...contracted()))
      .when(proposeSoc(actors.financeA, { socMinPercent: 0 }))
      .thenThrows('no-change', 'rule-violated');
  });

  it('can be rejected by an eligible approver', () => {
    spec
      .given(pending())
      .when({
        type: 'RejectProposal',
        proposalId: 'p-1',
        reason: 'too aggressive',
        context: context(actors.cellEngineer),
      })
      .then([{ type: 'ProposalRejected' }]);
  });

  it('can no longer be approved once rejected', () => {
    spec
      .given(rejected())
      .when(approveAs(actors.ownerA))
      .thenThrows('proposal-not-found', 'not-found');
  });

  it('cannot be rejected by someone with no slot to fill', () => {
    spec
      .given(pending())
      .when({
        type: 'RejectProposal',
        proposalId: 'p-1',
        reason: 'x',
        context: context(actors.fleetManager),
      })
      .thenThrows('battery-not-found', 'not-found');
  });

  it('can be withdrawn by its proposer', () => {
    spec
      .given(pending())
      .when({ type: 'WithdrawProposal', proposalId: 'p-1', context: context(actors.financeA) })
      .then([{ type: 'ProposalWithdrawn' }]);
  });

  it('cannot be withdrawn by anyone but its proposer', () => {
    spec
      .given(pending())
      .when({ type: 'WithdrawProposal', proposalId: 'p-1', context: context(actors.ownerA) })
      .thenThrows('not-the-proposer');
  });

  it('cannot be approved once expired', () => {
    spec
      .given(pending())
      .when({ type: 'ApproveProposal', proposalId: 'p-1', context: afterExpiry(actors.ownerA) })
      .thenThrows('proposal-expired', 'conflict');
  });

  it('blocks a new proposal while it is open', () => {
    spec
      .given(pending())
      .when({ ...proposeSoc(), proposalId: 'p-2' })
      .thenThrows('proposal-already-open', 'conflict');
  });

  it('is closed as expired by a new proposal made after it expired', () => {
    spec
      .given(pending())
      .when({
        ...proposeSoc(),
        proposalId: 'p-2',
        expiresAt: new Date(inAWeek.getTime() + 86_400_000),
        context: afterExpiry(actors.financeA),
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

  it('leaves the bundle version alone while the change is pending', () => {
    const before = approvedByOwner().reduce(batteryDecider.evolve, batteryDecider.initialState());
    expect(before).toMatchObject({ bundleVersion: 1 });
  });

  it('advances the bundle version when the change is applied', () => {
    const after = history(
      ...contracted(),
      proposeSoc(),
      approveAs(actors.ownerA),
      approveAs(actors.cellEngineer),
    ).reduce(batteryDecider.evolve, batteryDecider.initialState());
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
  const requested = () =>
    history(
      provisionCommand(),
      { type: 'ReportStolen', context: context(actors.ownerA) },
      requestRecovery(),
    );

  it('leaves the battery stolen while only the owner has asked', () => {
    expect(requested().reduce(batteryDecider.evolve, batteryDecider.initialState())).toMatchObject({
      status: 'stolen',
    });
  });

  it("recovers the battery when a platform admin approves the owner's request", () => {
    spec
      .given(requested())
      .when(approveAs(actors.platformAdmin, 'r-1'))
      .then([
        { type: 'ProposalApproved', data: { approval: { relationship: 'platform' } } },
        { type: 'BatteryRecovered', data: { proposalId: 'r-1' } },
      ]);
  });

  it("recovers the battery when the owner's fleet finance approves the owner's request", () => {
    spec
      .given(requested())
      .when(approveAs(actors.financeA, 'r-1'))
      .then([{ type: 'ProposalApproved' }, { type: 'BatteryRecovered' }]);
  });

  it('never counts the owner who asked as the second approver', () => {
    spec
      .given(requested())
      .when(approveAs(actors.ownerA, 'r-1'))
      .thenThrows('proposer-cannot-approve');
  });

  it('is asked by the owner only', () => {
    spec
      .given(stolen())
      .when(requestRecovery(actors.platformAdmin))
      .thenThrows('no-relationship', 'forbidden');
  });

  it('is asked only for a stolen battery', () => {
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
  it('is made only with a cell-specialist party', () => {
    spec
      .given(history(provisionCommand()))
      .when({
        type: 'ContractSpecialist',
        contractId: 'c',
        specialist: parties.workshop,
        context: context(actors.ownerA),
      })
      .thenThrows('not-a-cell-specialist');
  });

  it('allows one specialist contract at a time', () => {
    spec
      .given(history(...contracted()))
      .when({
        type: 'ContractSpecialist',
        contractId: 'c2',
        specialist: parties.cells,
        context: context(actors.ownerA),
      })
      .thenThrows('specialist-already-contracted');
  });

  it('is not ended by the specialist', () => {
    spec
      .given(history(...contracted()))
      .when({
        type: 'EndSpecialistContract',
        contractId: 'c-1',
        context: context(actors.cellEngineer),
      })
      .thenThrows('no-relationship');
  });

  it('is ended by the owner', () => {
    spec
      .given(history(...contracted()))
      .when({ type: 'EndSpecialistContract', contractId: 'c-1', context: context(actors.ownerA) })
      .then([{ type: 'SpecialistContractEnded', data: { cause: 'ended-by-owner' } }]);
  });

  it('ends with the ownership, rejecting the open proposals', () => {
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
