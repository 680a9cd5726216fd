import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type Database from 'better-sqlite3';
import type { Actor } from '../../shared/domain/actor';
import { READ_MODEL_DB } from '../../read-model/read-model.database';
import { missingSlots } from '../../policy/domain/approvals';
import { canApprove } from '../../policy/domain/explain';
import { relationshipsOf } from '../../policy/domain/relationship';
import { relationshipFacts } from '../domain/battery-facts';
import type { OpenProposal, OpenTransfer, ProvisionedBattery } from '../domain/battery-state';

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
  private readonly open;

  constructor(@Inject(READ_MODEL_DB) db: Database.Database) {
    this.open = db.prepare<
      [string],
      {
        serial: string;
        proposal_id: string;
        kind: string;
        expires_at: string | null;
        proposal: string;
        state: string;
      }
    >(
      `SELECT p.serial, p.proposal_id, p.kind, p.expires_at, p.proposal, b.state
         FROM open_proposals p JOIN batteries b ON b.serial = p.serial
        WHERE p.expires_at IS NULL OR p.expires_at > ?
        ORDER BY p.expires_at`,
    );
  }

  async execute({
    actor,
    now,
    limit,
  }: PendingApprovalsQuery): Promise<{ items: PendingApproval[] }> {
    const items: PendingApproval[] = [];
    for (const row of this.open.iterate(now.toISOString())) {
      const battery = JSON.parse(row.state) as ProvisionedBattery;
      const proposal = JSON.parse(row.proposal) as OpenProposal | OpenTransfer;
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
