import { DEFAULT_POLICY_DOCUMENT } from './default-policy';
import {
  POLICY_ACTIONS,
  type ActionRule,
  type PolicyAction,
  type PolicyDocument,
} from './policy-document';

/** A policy document as an older version of the service wrote it, or as a caller sends it. */
export type PolicyDocumentInput = Omit<
  PolicyDocument,
  'actions' | 'keyLifetimeMaxDays' | 'capabilities'
> & {
  actions: Partial<Record<PolicyAction, ActionRule>>;
  capabilities: Record<string, number>;
  keyLifetimeMaxDays?: number;
};

/**
 * Brings a document written before the catalogue grew up to date: an action it has no rule for
 * takes the default policy's rule, a capability it does not name keeps the catalogue's layer, and
 * a setting it predates takes the default. So a service upgrade never leaves a running platform
 * with a rule that reads `undefined`, and an older document can be adopted again.
 */
export function upcastPolicyDocument(document: PolicyDocumentInput): PolicyDocument {
  const actions = Object.fromEntries(
    POLICY_ACTIONS.map((action) => [
      action,
      document.actions[action] ?? DEFAULT_POLICY_DOCUMENT.actions[action],
    ]),
  ) as Record<PolicyAction, ActionRule>;
  return {
    ...document,
    capabilities: {
      ...DEFAULT_POLICY_DOCUMENT.capabilities,
      ...document.capabilities,
    } as PolicyDocument['capabilities'],
    actions,
    keyLifetimeMaxDays: document.keyLifetimeMaxDays ?? DEFAULT_POLICY_DOCUMENT.keyLifetimeMaxDays,
  };
}
