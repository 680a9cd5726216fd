import { conflict, notFound, ruleViolated } from '../../shared/domain/domain-error';
import { recordedBy, type EventMeta } from '../../shared/domain/domain-event';
import { approve, quorumMet } from '../../policy/domain/approvals';
import { evaluateAction, requireAllowed } from '../../policy/domain/policy-evaluation';
import { relationshipsOf } from '../../policy/domain/relationship';
import type {
  ApproveOwnershipTransfer,
  CancelOwnershipTransfer,
  RequestOwnershipTransfer,
} from './battery-commands';
import type { BatteryEvent, LeaseEnded, SpecialistContractEnded } from './battery-events';
import { approvalStillHolds, lapse } from './authority-reconciliation';
import { assertNotStolen, relationshipFacts } from './battery-facts';
import type { OpenTransfer, ProvisionedBattery } from './battery-state';
import { revokeWhere } from './key-decisions';

export function requestTransfer(
  command: RequestOwnershipTransfer,
  battery: ProvisionedBattery,
): BatteryEvent[] {
  const { policy, actor } = command.context;
  const decision = evaluateAction(policy, 'ownership.transfer', actor, relationshipFacts(battery));
  const { role } = requireAllowed(decision);
  assertNotStolen(battery, 'transferred');
  if (battery.openTransfer) {
    throw conflict(
      'transfer-already-open',
      `Transfer ${battery.openTransfer.transferId} is already open for this battery`,
      {
        transferId: battery.openTransfer.transferId,
      },
    );
  }
  if (command.to.kind !== 'lessor')
    throw ruleViolated(
      'not-a-lessor',
      `Party ${command.to.partyId} is a ${command.to.kind}, not a lessor`,
    );
  if (command.to.partyId === battery.ownerId)
    throw ruleViolated('already-owner', `Party ${command.to.partyId} already owns this battery`);
  return [
    {
      type: 'OwnershipTransferRequested',
      data: {
        transferId: command.transferId,
        fromOwnerId: battery.ownerId,
        toOwnerId: command.to.partyId,
        requiredApprovals: decision.approvalsRequired,
      },
      meta: recordedBy(command.context, role),
    },
  ];
}

/**
 * The receiving lessor accepts; others approve as the policy asks. When the last approval is in,
 * the same append completes the transfer and ends the old owner's authority, so there is no
 * revision at which both the old and the new owner's keys hold.
 */
export function approveTransfer(
  command: ApproveOwnershipTransfer,
  battery: ProvisionedBattery,
): BatteryEvent[] {
  const transfer = openTransfer(battery, command.transferId);
  assertNotStolen(battery, 'transferred');
  const facts = relationshipFacts(battery);
  // Approvals count only while the authority behind them still holds now.
  const standing = transfer.approvals.filter((a) => approvalStillHolds(a, facts));
  const approval = approve(
    { proposedBy: transfer.proposedBy, required: transfer.required, approvals: standing },
    command.context.actor,
    relationshipsOf(command.context.actor.partyId, facts),
  );
  const meta = recordedBy(command.context, approval.approver.role);
  const lapsed = transfer.approvals
    .filter((a) => !standing.includes(a))
    .map((a) => lapse(transfer.transferId, a, meta));
  const approved: BatteryEvent =
    approval.relationship === 'receiving-lessor'
      ? {
          type: 'OwnershipTransferAccepted',
          data: { transferId: transfer.transferId, toOwnerId: transfer.toOwnerId, approval },
          meta,
        }
      : {
          type: 'OwnershipTransferApproved',
          data: { transferId: transfer.transferId, approval },
          meta,
        };
  if (
    !quorumMet({
      proposedBy: transfer.proposedBy,
      required: transfer.required,
      approvals: [...standing, approval],
    })
  )
    return [...lapsed, approved];
  return [...lapsed, approved, ...completeTransfer(battery, transfer, meta)];
}

function completeTransfer(
  battery: ProvisionedBattery,
  transfer: OpenTransfer,
  meta: EventMeta,
): BatteryEvent[] {
  return [
    ...endLease(battery, 'ownership-transferred', meta),
    ...endSpecialistContract(battery, 'ownership-transferred', meta),
    // Proposals were made to the old owner; they close on the record, not silently.
    ...battery.proposals.map((p): BatteryEvent => ({
      type: 'ProposalRejected',
      data: {
        proposalId: p.proposalId,
        reason: 'Ownership transferred: proposals to the previous owner close',
      },
      meta,
    })),
    ...revokeWhere(
      battery,
      (key) => key.authority.relationship === 'owner',
      'ownership-transferred',
      'Ownership transferred',
      meta,
    ),
    {
      type: 'OwnershipTransferred',
      data: {
        transferId: transfer.transferId,
        fromOwnerId: transfer.fromOwnerId,
        toOwnerId: transfer.toOwnerId,
      },
      meta,
    },
  ];
}

export function cancelTransfer(
  command: CancelOwnershipTransfer,
  battery: ProvisionedBattery,
): BatteryEvent[] {
  const transfer = openTransfer(battery, command.transferId);
  const { role } = requireAllowed(
    evaluateAction(
      command.context.policy,
      'ownership.transfer.cancel',
      command.context.actor,
      relationshipFacts(battery),
    ),
  );
  return [
    {
      type: 'OwnershipTransferCancelled',
      data: { transferId: transfer.transferId, cancelledByPartyId: command.context.actor.partyId },
      meta: recordedBy(command.context, role),
    },
  ];
}

/** Ending a lease ends the operator's authority, and with it every key issued under it. */
export function endLease(
  battery: ProvisionedBattery,
  cause: LeaseEnded['data']['cause'],
  meta: EventMeta,
): BatteryEvent[] {
  const lease = battery.lease;
  if (!lease) return [];
  return [
    {
      type: 'LeaseEnded',
      data: { leaseId: lease.leaseId, operatorId: lease.operatorId, cause },
      meta,
    },
    ...revokeWhere(
      battery,
      (key) => key.authority.relationship === 'operator' && key.authority.leaseId === lease.leaseId,
      cause === 'ownership-transferred' ? 'ownership-transferred' : 'lease-ended',
      `Lease ${lease.leaseId} ended`,
      meta,
    ),
  ];
}

/** The specialist was contracted by the old owner; the new owner contracts its own. */
export function endSpecialistContract(
  battery: ProvisionedBattery,
  cause: SpecialistContractEnded['data']['cause'],
  meta: EventMeta,
): BatteryEvent[] {
  if (!battery.specialist) return [];
  return [
    {
      type: 'SpecialistContractEnded',
      data: {
        contractId: battery.specialist.contractId,
        specialistId: battery.specialist.specialistId,
        cause,
      },
      meta,
    },
  ];
}

function openTransfer(battery: ProvisionedBattery, transferId: string): OpenTransfer {
  if (!battery.openTransfer || battery.openTransfer.transferId !== transferId) {
    throw notFound('transfer-not-found', `Transfer ${transferId} is not open for this battery`);
  }
  return battery.openTransfer;
}
