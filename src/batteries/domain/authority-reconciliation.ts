import type { EventMeta } from '../../shared/domain/domain-event';
import type { RecordedApproval } from '../../policy/domain/approvals';
import type { ActivePolicy } from '../../policy/domain/policy-document';
import { evaluateAction } from '../../policy/domain/policy-evaluation';
import { relationshipsOf, type RelationshipFacts } from '../../policy/domain/relationship';
import type { ApprovalLapsed, BatteryEvent } from './battery-events';
import { relationshipFacts } from './battery-facts';
import type { OpenProposal, ProvisionedBattery } from './battery-state';

/** Whether the approver's party still stands in the relationship it approved as. */
export function approvalStillHolds(approval: RecordedApproval, facts: RelationshipFacts): boolean {
  return relationshipsOf(approval.approver.partyId, facts).includes(approval.relationship);
}

/** Whether the proposer, in the role they proposed in, could still propose every action of it now. */
export function proposerStillEntitled(
  proposal: OpenProposal,
  policy: ActivePolicy,
  facts: RelationshipFacts,
): boolean {
  const { personId, partyId, role } = proposal.proposedBy;
  return proposal.actions.every(
    (action) => evaluateAction(policy, action, { personId, partyId, roles: [role] }, facts).allowed,
  );
}

export function lapse(
  proposalId: string,
  approval: RecordedApproval,
  meta: EventMeta,
): ApprovalLapsed {
  return {
    type: 'ApprovalLapsed',
    data: {
      proposalId,
      slot: approval.slot,
      approver: approval.approver,
      reason: `Party ${approval.approver.partyId} is no longer the ${approval.relationship} of this battery`,
    },
    meta,
  };
}

/**
 * An approval counts only while the authority behind it holds, and a proposal stands only while
 * its proposer may still make it and the battery is not locked. Run after every decision on the
 * state it leads to, so whatever ended an authority (a contract, a lease, a theft report, a new
 * policy) closes what rested on it in the same append, on the record.
 */
export function reconcileAuthority(
  after: ProvisionedBattery,
  policy: ActivePolicy,
  meta: EventMeta,
): BatteryEvent[] {
  const facts = relationshipFacts(after);
  const events: BatteryEvent[] = [];
  for (const proposal of after.proposals) {
    if (proposal.kind === 'parameter-change' && after.status === 'stolen') {
      events.push({
        type: 'ProposalRejected',
        data: {
          proposalId: proposal.proposalId,
          reason: 'The battery was reported stolen: parameter changes close',
        },
        meta,
      });
    } else if (!proposerStillEntitled(proposal, policy, facts)) {
      events.push({
        type: 'ProposalRejected',
        data: {
          proposalId: proposal.proposalId,
          reason: `The proposer's authority ended: ${proposal.proposedBy.role} of party ${proposal.proposedBy.partyId} may no longer propose it`,
        },
        meta,
      });
    } else {
      events.push(
        ...proposal.approvals
          .filter((a) => !approvalStillHolds(a, facts))
          .map((a) => lapse(proposal.proposalId, a, meta)),
      );
    }
  }
  const transfer = after.openTransfer;
  if (transfer)
    events.push(
      ...transfer.approvals
        .filter((a) => !approvalStillHolds(a, facts))
        .map((a) => lapse(transfer.transferId, a, meta)),
    );
  return events;
}
