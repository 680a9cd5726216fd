import { deciderSpecification } from '../../../test/support/decider-specification';
import {
  actors,
  context,
  history,
  NOW,
  contractedBattery,
  proposeSocWindow,
  approveProposalAs,
} from '../../../test/support/battery-fixtures';
import type { BatteryCommand } from './battery-commands';
import type { BatteryEvent } from './battery-events';
import { batteryDecider } from './battery-decider';

/** An approval counts only while the authority behind it holds when the change takes effect. */
const spec = deciderSpecification(batteryDecider);
const contracted = contractedBattery;
const proposeSoc = proposeSocWindow;
const approveAs = approveProposalAs;
const endContract: BatteryCommand = {
  type: 'EndSpecialistContract',
  contractId: 'c-1',
  context: context(actors.ownerA),
};

describe('approvals that outlive their authority', () => {
  it("lapse, on the record, in the same append that ends the specialist's contract", () => {
    spec
      .given(history(...contracted(), proposeSoc(), approveAs(actors.cellEngineer)))
      .when(endContract)
      .then([
        { type: 'SpecialistContractEnded' },
        {
          type: 'ApprovalLapsed',
          data: { proposalId: 'p-1', slot: 1, approver: { personId: 'carl', partyId: 'cells' } },
          meta: { actor: { personId: 'alice' } },
        },
      ]);
  });

  it("leave the owner's later approval waiting instead of applying the change", () => {
    spec
      .given(history(...contracted(), proposeSoc(), approveAs(actors.cellEngineer), endContract))
      .when(approveAs(actors.ownerA))
      .then([{ type: 'ProposalApproved', data: { approval: { relationship: 'owner' } } }]);
  });

  it('are re-checked when the last approval would apply the change, even in a history recorded before lapses existed', () => {
    // An older service recorded the contract's end without lapsing the engineer's approval.
    const before = history(...contracted(), proposeSoc(), approveAs(actors.cellEngineer));
    const legacyEnd: BatteryEvent = {
      type: 'SpecialistContractEnded',
      data: { contractId: 'c-1', specialistId: 'cells', cause: 'ended-by-owner' },
      meta: {
        actor: { personId: 'alice', partyId: 'lessor-a', role: 'owner-admin' },
        occurredAt: NOW.toISOString(),
        requestId: 'old',
        policyVersion: 1,
      },
    };
    const events = spec
      .given([...before, legacyEnd])
      .when(approveAs(actors.ownerA))
      .then([{ type: 'ApprovalLapsed', data: { slot: 1 } }, { type: 'ProposalApproved' }]);
    expect(events.map((e) => e.type)).not.toContain('ParametersChanged');
  });

  it("close a proposal whose proposer's own authority ended", () => {
    spec
      .given(history(...contracted(), proposeSoc(actors.cellEngineer)))
      .when(endContract)
      .then([
        { type: 'SpecialistContractEnded' },
        {
          type: 'ProposalRejected',
          data: {
            proposalId: 'p-1',
            reason: expect.stringContaining("proposer's authority ended"),
          },
        },
      ]);
  });

  it('close every open parameter change when the battery is reported stolen', () => {
    spec
      .given(history(...contracted(), proposeSoc(), approveAs(actors.cellEngineer)))
      .when({ type: 'ReportStolen', context: context(actors.ownerA) })
      .then([
        { type: 'BatteryReportedStolen' },
        {
          type: 'ProposalRejected',
          data: { proposalId: 'p-1', reason: expect.stringContaining('stolen') },
        },
      ]);
  });
});

describe('one person holding tokens of two parties', () => {
  const aliceAsEngineer = { personId: 'alice', partyId: 'cells', roles: ['cell-engineer'] };
  const carlAsOwner = { personId: 'carl', partyId: 'lessor-a', roles: ['owner-admin'] };

  it('cannot approve her own proposal through her other party', () => {
    spec
      .given(history(...contracted(), proposeSoc(actors.ownerA)))
      .when({ type: 'ApproveProposal', proposalId: 'p-1', context: context(aliceAsEngineer) })
      .thenThrows('proposer-cannot-approve', 'forbidden');
  });

  it('fills one approval slot, not two', () => {
    spec
      .given(history(...contracted(), proposeSoc(), approveAs(actors.cellEngineer)))
      .when({ type: 'ApproveProposal', proposalId: 'p-1', context: context(carlAsOwner) })
      .thenThrows('already-approved', 'conflict');
  });
});
