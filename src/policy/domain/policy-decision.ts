import type { ApprovalSlot } from './policy-document';
import type { Relationship } from './relationship';

/**
 * The answer to "may this person do this", with its reasons: the rule that decided, the
 * relationship and role it matched, and the approvals still needed. Enforcement and the explain
 * endpoint read the same object, so they cannot disagree.
 */
export interface PolicyDecision {
  allowed: boolean;
  action: string;
  policyVersion: number;
  /** Path of the deciding rule in the policy document, e.g. `actions.lease.assign.performers[0]`. */
  rule: string | null;
  relationship: Relationship | null;
  role: string | null;
  /** Stable code of the refusal, null when allowed. */
  code: string | null;
  reason: string;
  /** Approvals the action needs after it is started (empty: it takes effect at once). */
  approvalsRequired: ApprovalSlot[];
}
