import type { PendingApprovals } from '../../policy/domain/approvals';
import type { ExplainTarget } from '../../policy/domain/explain';
import type { RelationshipFacts } from '../../policy/domain/relationship';
import type { ProvisionedBattery } from './battery-state';
import { conflict } from '../../shared/domain/domain-error';

/** Who stands in which relationship to this battery, as policy rules see it. */
export function relationshipFacts(
  battery: Pick<
    ProvisionedBattery,
    'ownerId' | 'lease' | 'specialist' | 'openTransfer' | 'manufacturerId'
  >,
): RelationshipFacts {
  return {
    ownerId: battery.ownerId,
    operatorId: battery.lease?.operatorId ?? null,
    specialistId: battery.specialist?.specialistId ?? null,
    receivingLessorId: battery.openTransfer?.toOwnerId ?? null,
    manufacturerId: battery.manufacturerId,
  };
}

export function assertNotStolen(battery: ProvisionedBattery, what: string): void {
  if (battery.status === 'stolen')
    throw conflict('battery-stolen', `A battery reported stolen cannot be ${what}`);
}

/** The battery as explain sees it: relationships, lease, and what waits for approval, by id. */
export function explainTarget(battery: ProvisionedBattery): ExplainTarget {
  const pending = new Map<string, PendingApprovals>();
  for (const { proposalId, proposedBy, required, approvals } of battery.proposals) {
    pending.set(proposalId, { proposedBy, required, approvals });
  }
  if (battery.openTransfer) {
    const { transferId, proposedBy, required, approvals } = battery.openTransfer;
    pending.set(transferId, { proposedBy, required, approvals });
  }
  return {
    serial: battery.serial,
    facts: relationshipFacts(battery),
    leaseId: battery.lease?.leaseId ?? null,
    pending,
  };
}
