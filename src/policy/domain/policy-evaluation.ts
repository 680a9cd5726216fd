import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import type { KeyAuthority } from './key-authority';
import {
  effectiveLayer,
  isPhysicalHarm,
  PHYSICAL_HARM_LAYER,
  type OnionLayer,
} from './capability-catalogue';
import { samePerson } from './approvals';
import type { PolicyDecision } from './policy-decision';
import type { ActivePolicy, PolicyAction } from './policy-document';
import { relationshipsOf, type Relationship, type RelationshipFacts } from './relationship';

const describe = (relationships: Relationship[]) =>
  relationships.length > 0 ? relationships.join(', ') : 'no relationship';

/** May the actor start this action on a battery standing in these relationships? */
export function evaluateAction(
  policy: ActivePolicy,
  action: PolicyAction,
  actor: Actor,
  facts: RelationshipFacts,
): PolicyDecision {
  const rule = policy.document.actions[action];
  const relationships = relationshipsOf(actor.partyId, facts);
  // Documents are upcast when read, so this only guards against a catalogue that outgrew its default.
  if (!rule) {
    return {
      action,
      policyVersion: policy.version,
      approvalsRequired: [],
      allowed: false,
      rule: null,
      relationship: null,
      role: null,
      code: 'no-rule',
      reason: `The policy has no rule for ${action}`,
    };
  }
  const base = { action, policyVersion: policy.version, approvalsRequired: rule.approvals };
  const index = rule.performers.findIndex(
    (p) => relationships.includes(p.relationship) && actor.roles.includes(p.role),
  );
  if (index >= 0) {
    const performer = rule.performers[index];
    return {
      ...base,
      allowed: true,
      rule: `actions.${action}.performers[${index}]`,
      relationship: performer.relationship,
      role: performer.role,
      code: null,
      reason:
        rule.approvals.length === 0
          ? `Allowed: ${performer.role} of the ${performer.relationship}`
          : `Allowed to propose as ${performer.role} of the ${performer.relationship}; takes effect after ${rule.approvals.length} approval(s)`,
    };
  }
  const related = rule.performers.filter((p) => relationships.includes(p.relationship));
  const wanted = rule.performers.map((p) => `${p.role} of the ${p.relationship}`).join(' or ');
  return {
    ...base,
    allowed: false,
    rule: `actions.${action}.performers`,
    relationship: relationships[0] ?? null,
    role: null,
    code: related.length > 0 ? 'role-required' : 'no-relationship',
    reason:
      related.length > 0
        ? `${action} needs the role ${related.map((p) => p.role).join(' or ')}; you hold ${actor.roles.join(', ') || 'no role'}`
        : `${action} is for the ${wanted}; party ${actor.partyId} has ${describe(relationships)} to this battery`,
  };
}

export interface IssuanceRequest {
  capabilities: readonly string[];
  holder: { personId: string; partyId: string };
  /** The current lease, for the authority of an operator-issued key. */
  leaseId: string | null;
}

export interface IssuanceDecision extends PolicyDecision {
  authority: KeyAuthority | null;
}

/**
 * The issuer matrix: the first rule of the actor's relationship and role that covers every
 * requested capability and the holder. Layer 4 is refused before any rule is read.
 */
export function evaluateIssuance(
  policy: ActivePolicy,
  actor: Actor,
  facts: RelationshipFacts,
  request: IssuanceRequest,
): IssuanceDecision {
  const refuse = (code: string, reason: string, rule: string | null = null): IssuanceDecision => ({
    allowed: false,
    action: 'key.issue',
    policyVersion: policy.version,
    rule,
    relationship: null,
    role: null,
    code,
    reason,
    approvalsRequired: [],
    authority: null,
  });
  const layerOf = (capability: string) =>
    effectiveLayer(capability, policy.document.capabilities) as OnionLayer;
  const unknown = request.capabilities.filter(
    (c) => effectiveLayer(c, policy.document.capabilities) === undefined,
  );
  if (unknown.length > 0)
    return refuse(
      'unknown-capability',
      `Not in the capability catalogue: ${unknown.join(', ')}`,
      'capabilities',
    );
  // Physical harm is decided by the catalogue in code before any document is read: no policy reaches it.
  const physical = request.capabilities.filter(
    (c) => isPhysicalHarm(c) || layerOf(c) === PHYSICAL_HARM_LAYER,
  );
  if (physical.length > 0)
    return refuse(
      'physical-harm-prohibited',
      `Capabilities beyond the hard limits are prohibited for everyone: ${physical.join(', ')}`,
      'capabilities',
    );
  if (samePerson(request.holder, actor)) {
    return refuse(
      'self-issuance',
      'An issuer may not issue a key to themselves, for any party: issuing authority is not holding authority',
    );
  }
  const relationships = relationshipsOf(actor.partyId, facts);
  const highest = Math.max(...request.capabilities.map(layerOf));
  const applicable = policy.document.issuance.filter(
    (rule) => relationships.includes(rule.relationship) && actor.roles.includes(rule.role),
  );
  if (applicable.length === 0) {
    const related = policy.document.issuance.filter((rule) =>
      relationships.includes(rule.relationship),
    );
    return related.length > 0
      ? refuse(
          'role-required',
          `Issuing keys as ${describe(relationships)} needs the role ${related.map((r) => r.role).join(' or ')}`,
          'issuance',
        )
      : refuse(
          'no-relationship',
          `Party ${actor.partyId} has ${describe(relationships)} that lets it issue keys for this battery`,
          'issuance',
        );
  }
  // A rule's reach stops below layer 4 whatever the document says.
  const coveringLayer = applicable.filter(
    (rule) => Math.min(rule.maxLayer, PHYSICAL_HARM_LAYER - 1) >= highest,
  );
  if (coveringLayer.length === 0) {
    const best = Math.max(...applicable.map((rule) => rule.maxLayer));
    const above = request.capabilities.filter((c) => layerOf(c) > best);
    return refuse(
      'issuer-matrix-exceeded',
      `You may issue up to layer ${best}; refused: ${above.join(', ')} (layer ${highest})`,
      `issuance.${applicable[0].id}`,
    );
  }
  const rule = coveringLayer.find(
    (r) => r.holders === 'anyone' || request.holder.partyId === actor.partyId,
  );
  if (!rule) {
    return refuse(
      'holder-outside-own-party',
      `Under rule ${coveringLayer[0].id} keys go to your own party's people only, not to party ${request.holder.partyId}`,
      `issuance.${coveringLayer[0].id}`,
    );
  }
  const authority: KeyAuthority =
    rule.relationship === 'operator' && request.leaseId
      ? { relationship: 'operator', partyId: actor.partyId, leaseId: request.leaseId }
      : { relationship: 'owner', partyId: actor.partyId };
  return {
    allowed: true,
    action: 'key.issue',
    policyVersion: policy.version,
    rule: `issuance.${rule.id}`,
    relationship: rule.relationship,
    role: rule.role,
    code: null,
    reason: `Allowed by ${rule.id}: ${rule.role} of the ${rule.relationship} issues up to layer ${rule.maxLayer}`,
    approvalsRequired: [],
    authority,
  };
}

/** Enforcement: the role that authorised the action, or a forbidden error that says why not. */
export function requireAllowed(decision: PolicyDecision): {
  role: string;
  relationship: Relationship;
} {
  if (!decision.allowed || !decision.role || !decision.relationship) {
    throw forbidden(decision.code ?? 'forbidden', decision.reason, {
      rule: decision.rule,
      policyVersion: decision.policyVersion,
    });
  }
  return { role: decision.role, relationship: decision.relationship };
}
