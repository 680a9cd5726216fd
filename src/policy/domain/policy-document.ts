import type { OnionLayer } from './capability-catalogue';
import type { Relationship } from './relationship';

/** One kind of person: a role held in a party that stands in a relationship to the battery. */
export interface PartyRole {
  relationship: Relationship;
  role: string;
}

/** One approval needed: any one person matching one of these, not the proposer, not twice. */
export interface ApprovalSlot {
  anyOf: PartyRole[];
}

/** Who may start an action, and whose approvals it needs before it takes effect. */
export interface ActionRule {
  performers: PartyRole[];
  approvals: ApprovalSlot[];
}

/** A row of the issuer matrix: this role of this relationship issues up to this layer to these holders. */
export interface IssuanceRule {
  id: string;
  relationship: 'owner' | 'operator';
  role: string;
  maxLayer: Exclude<OnionLayer, 4>;
  holders: 'anyone' | 'own-party';
}

export const POLICY_ACTIONS = [
  'party.register',
  'battery.provision',
  'ownership.transfer',
  'ownership.transfer.cancel',
  'lease.assign',
  'lease.end',
  'specialist.contract',
  'specialist.end',
  'key.revoke',
  'theft.report',
  'theft.recovery',
  'parameters.soc-window',
  'parameters.charge-voltage',
  'parameters.rate-limits',
  'policy.change',
] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/**
 * Who may do what to a battery, as data: versioned through events, validated before adoption,
 * and named in every decision it made.
 */
export interface PolicyDocument {
  roles: string[];
  capabilities: Record<string, OnionLayer>;
  issuance: IssuanceRule[];
  actions: Record<PolicyAction, ActionRule>;
  /**
   * EU Battery Regulation 2023/1542 Art. 14: the lawful purchaser (or whoever acts for them) may
   * always read the battery's state of health. No policy may take this away.
   */
  regulatoryReadAccess: { capability: 'status.read'; relationships: Relationship[] };
  /** The longest validity window a key may be issued with, in days: a leaked key ends by itself. */
  keyLifetimeMaxDays: number;
}

export interface ActivePolicy {
  version: number;
  document: PolicyDocument;
}
