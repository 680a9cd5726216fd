import type { Actor } from '../../shared/domain/actor';
import { DomainError } from '../../shared/domain/domain-error';
import { approve, missingSlots, type PendingApprovals } from './approvals';
import type { PolicyDecision } from './policy-decision';
import type { ActivePolicy, ApprovalSlot, PolicyAction } from './policy-document';
import { evaluateAction, evaluateIssuance } from './policy-evaluation';
import { relationshipsOf, type Relationship, type RelationshipFacts } from './relationship';

/**
 * What explain needs to know of a battery: who stands in which relationship to it, its lease (the
 * authority an operator's key would rest on) and what waits for approval there. The battery
 * context builds it; the rule book never reads a battery's state.
 */
export interface ExplainTarget {
  serial: string;
  facts: RelationshipFacts;
  leaseId: string | null;
  /** Open proposals and transfers by id. */
  pending: ReadonlyMap<string, PendingApprovals>;
}

export type ExplainQuestion =
  | { action: PolicyAction }
  | { action: 'health.read' }
  | { action: 'key.issue'; capabilities: string[]; holder: { personId: string; partyId: string } }
  | { action: 'proposal.approve'; proposalId: string };

export interface Explanation extends PolicyDecision {
  subject: { personId: string; partyId: string; roles: readonly string[] };
  serial: string | null;
  relationships: Relationship[];
  /** For a proposal or transfer: the approvals nobody has given yet. */
  approvalsMissing: { slot: number; anyOf: ApprovalSlot['anyOf'] }[];
}

/**
 * "May this person of this party do this to this battery, and why (not)?" answered with the very
 * functions that enforce the policy, so the explanation and the enforcement never disagree.
 */
export function explain(
  policy: ActivePolicy,
  subject: Actor,
  battery: ExplainTarget | null,
  question: ExplainQuestion,
): Explanation {
  const facts: RelationshipFacts = battery?.facts ?? {};
  const relationships = relationshipsOf(subject.partyId, facts);
  const base = {
    subject: { personId: subject.personId, partyId: subject.partyId, roles: subject.roles },
    serial: battery?.serial ?? null,
    relationships,
  };
  if (question.action === 'key.issue') {
    const { authority: _authority, ...decision } = evaluateIssuance(policy, subject, facts, {
      capabilities: question.capabilities,
      holder: question.holder,
      leaseId: battery?.leaseId ?? null,
    });
    return { ...decision, ...base, approvalsMissing: [] };
  }
  if (question.action === 'health.read')
    return { ...explainHealthRead(policy, relationships), ...base };
  if (question.action === 'proposal.approve')
    return {
      ...explainApproval(policy, subject, battery, question.proposalId, relationships),
      ...base,
    };
  return {
    ...evaluateAction(policy, question.action, subject, facts),
    ...base,
    approvalsMissing: [],
  };
}

function explainApproval(
  policy: ActivePolicy,
  subject: Actor,
  battery: ExplainTarget | null,
  proposalId: string,
  relationships: Relationship[],
) {
  const pending = battery?.pending.get(proposalId) ?? null;
  const base = {
    action: 'proposal.approve',
    policyVersion: policy.version,
    approvalsRequired: pending?.required ?? [],
  };
  if (!pending) {
    return {
      ...base,
      allowed: false,
      rule: null,
      relationship: null,
      role: null,
      code: 'proposal-not-found',
      reason: `No open proposal or transfer ${proposalId}`,
      approvalsMissing: [],
    };
  }
  const approvalsMissing = missingSlots(pending);
  try {
    const approval = approve(pending, subject, relationships);
    return {
      ...base,
      allowed: true,
      rule: `approvals[${approval.slot}]`,
      relationship: approval.relationship,
      role: approval.approver.role,
      code: null,
      reason: `Would fill approval ${approval.slot} as ${approval.approver.role} of the ${approval.relationship}`,
      approvalsMissing,
    };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return {
      ...base,
      allowed: false,
      rule: 'approvals',
      relationship: relationships[0] ?? null,
      role: null,
      code: error.code,
      reason: error.message,
      approvalsMissing,
    };
  }
}

/**
 * EU 2023/1542 Art. 14: the lawful purchaser, or whoever acts for them, reads the state of health
 * at any time. It follows from the relationship alone: no key, no approval, no theft lock removes it.
 */
function explainHealthRead(policy: ActivePolicy, relationships: Relationship[]) {
  const { relationships: entitled } = policy.document.regulatoryReadAccess;
  const match = entitled.find((r) => relationships.includes(r)) ?? null;
  return {
    action: 'health.read',
    policyVersion: policy.version,
    approvalsRequired: [],
    allowed: match !== null,
    rule: 'regulatoryReadAccess',
    relationship: match,
    role: null,
    code: match ? null : 'no-relationship',
    reason: match
      ? `Read-only state-of-health access of the ${match} (EU 2023/1542 Art. 14); it cannot be revoked`
      : `Read-only health access belongs to the ${entitled.join(' and ')} of the battery`,
    approvalsMissing: [],
  };
}

/** Whether the person could give one of the approvals a proposal still lacks. */
export function canApprove(
  pending: PendingApprovals,
  subject: Actor,
  relationships: Relationship[],
): boolean {
  try {
    approve(pending, subject, relationships);
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
}
