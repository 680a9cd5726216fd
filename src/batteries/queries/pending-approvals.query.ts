import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../../shared/domain/actor';
import { missingSlots } from '../../policy/domain/approvals';
import { canApprove } from '../../policy/domain/explain';
import { relationshipsOf } from '../../policy/domain/relationship';
import { relationshipFacts } from '../domain/battery-facts';
import type { OpenProposal, OpenTransfer } from '../domain/battery-state';
import { BATTERY_READ_MODEL, type BatteryReadModel } from './battery-read-model';

export interface PendingApproval {
  serial: string;
  proposalId: string;
  kind: string;
  expiresAt: string | null;
  /** The full request, so an approver sees exactly what they sign off. */
  proposal: OpenProposal | OpenTransfer;
  approvalsMissing: ReturnType<typeof missingSlots>;
}

export class PendingApprovalsQuery extends Query<{ items: PendingApproval[] }> {
  constructor(
    readonly actor: Actor,
    readonly now: Date,
    readonly limit: number,
  ) {
    super();
  }
}

/** "What is waiting on me": open proposals and transfers whose missing approvals the actor could give. */
@QueryHandler(PendingApprovalsQuery)
export class PendingApprovalsHandler implements IQueryHandler<PendingApprovalsQuery> {
  constructor(@Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel) {}

  async execute({
    actor,
    now,
    limit,
  }: PendingApprovalsQuery): Promise<{ items: PendingApproval[] }> {
    const items: PendingApproval[] = [];
    for (const { row, battery, proposal } of this.batteries.openProposals(now)) {
      const pending = {
        proposedBy: proposal.proposedBy,
        required: proposal.required,
        approvals: proposal.approvals,
      };
      if (!canApprove(pending, actor, relationshipsOf(actor.partyId, relationshipFacts(battery))))
        continue;
      items.push({
        serial: row.serial,
        proposalId: row.proposal_id,
        kind: row.kind,
        expiresAt: row.expires_at,
        proposal,
        approvalsMissing: missingSlots(pending),
      });
      if (items.length >= limit) break;
    }
    return { items };
  }
}
