import { conflict, forbidden } from '../../shared/domain/domain-error';
import type { RecordedActor } from '../../shared/domain/actor';
import type { Actor } from '../../shared/domain/actor';
import type { ApprovalSlot, PartyRole } from './policy-document';
import type { Relationship } from './relationship';

/** An approval as recorded: who, in which role and relationship, filling which slot. */
export interface RecordedApproval {
  slot: number;
  approver: RecordedActor;
  relationship: Relationship;
}

export interface PendingApprovals {
  proposedBy: RecordedActor;
  required: ApprovalSlot[];
  approvals: RecordedApproval[];
}

/** One human, whatever party each of the two acted for. */
export const samePerson = (a: { personId: string }, b: { personId: string }): boolean =>
  a.personId === b.personId;

/** The slots nobody has filled yet. */
export function missingSlots(pending: PendingApprovals): { slot: number; anyOf: PartyRole[] }[] {
  return pending.required
    .map((slot, index) => ({ slot: index, anyOf: slot.anyOf }))
    .filter(({ slot }) => !pending.approvals.some((approval) => approval.slot === slot));
}

export const quorumMet = (pending: PendingApprovals) => missingSlots(pending).length === 0;

/**
 * Fills the first open slot the actor qualifies for. The proposer never counts, and a person
 * approves once, in one role: the gaps other approval features leave open. "Two keys" means two
 * humans: a person is their subject, whichever party their token names, so one person holding
 * tokens of two parties still counts once.
 */
export function approve(
  pending: PendingApprovals,
  actor: Actor,
  relationships: readonly Relationship[],
): RecordedApproval {
  if (samePerson(actor, pending.proposedBy)) {
    throw forbidden(
      'proposer-cannot-approve',
      'The proposer never counts as an approver of their own proposal, whichever party they act for',
    );
  }
  if (pending.approvals.some((a) => samePerson(actor, a.approver))) {
    throw conflict(
      'already-approved',
      'You already approved this proposal; one person approves once, in one role, whichever party they act for',
    );
  }
  const open = missingSlots(pending);
  for (const { slot, anyOf } of open) {
    const match = anyOf.find(
      (candidate) =>
        relationships.includes(candidate.relationship) && actor.roles.includes(candidate.role),
    );
    if (match) {
      return {
        slot,
        approver: { personId: actor.personId, partyId: actor.partyId, role: match.role },
        relationship: match.relationship,
      };
    }
  }
  const wanted = open
    .map(({ anyOf }) => anyOf.map((p) => `${p.role} of the ${p.relationship}`).join(' or '))
    .join('; ');
  throw forbidden(
    'not-an-eligible-approver',
    open.length === 0 ? 'No approval is missing' : `The approvals still missing are: ${wanted}`,
    {
      missing: open,
    },
  );
}
