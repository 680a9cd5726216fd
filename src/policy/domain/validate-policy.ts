import { ruleViolated } from '../../shared/domain/domain-error';
import { CAPABILITIES, isCapability, SAFE_STATE_CAPABILITIES } from './capability-catalogue';
import {
  POLICY_ACTIONS,
  type PartyRole,
  type PolicyAction,
  type PolicyDocument,
} from './policy-document';
import { RELATIONSHIPS, type Relationship } from './relationship';

/** Actions whose harm is such that no policy may let one person do them alone. */
const NEEDS_SECOND_SIGN_OFF: PolicyAction[] = [
  'parameters.soc-window',
  'parameters.charge-voltage',
  'parameters.rate-limits',
  'theft.recovery',
  'policy.change',
];

/**
 * Actions taken without a battery, and the one relationship that can exist for them: a rule naming
 * only other relationships could never be satisfied, and a policy could lock itself for good.
 */
const ONLY_POSSIBLE_RELATIONSHIP: Partial<Record<PolicyAction, Relationship>> = {
  'policy.change': 'platform',
  'party.register': 'platform',
  'battery.provision': 'manufacturer',
};

/** EU 2023/1542 Art. 14: the lawful purchaser and whoever uses the battery for them read its health. */
const ART_14_RELATIONSHIPS: Relationship[] = ['owner', 'operator'];

/** Keys outliving a decade outlive the battery's warranty, its lessors and any sane rotation. */
export const KEY_LIFETIME_LIMIT_DAYS = 3650;

/**
 * Everything wrong with a policy document, each as a sentence naming the rule. A policy is adopted
 * only when this is empty. Each promise the README makes "under any policy" is a rule here or a
 * check in code that no document reaches.
 */
export function policyProblems(policy: PolicyDocument): string[] {
  const problems: string[] = [];
  const roles = new Set(policy.roles);
  const checkPartyRole = (where: string, partyRole: PartyRole) => {
    if (!roles.has(partyRole.role))
      problems.push(`${where}: role "${partyRole.role}" is not defined in roles`);
    if (!(RELATIONSHIPS as readonly string[]).includes(partyRole.relationship))
      problems.push(`${where}: unknown relationship "${partyRole.relationship}"`);
  };

  for (const [capability, layer] of Object.entries(policy.capabilities)) {
    if (!isCapability(capability)) {
      problems.push(`capabilities.${capability}: not in the capability catalogue`);
      continue;
    }
    if (![1, 2, 3, 4].includes(layer))
      problems.push(`capabilities.${capability}: layer must be 1, 2, 3 or 4`);
    else if (layer < CAPABILITIES[capability]) {
      problems.push(
        `capabilities.${capability}: layer ${layer} is below the catalogue's layer ${CAPABILITIES[capability]}; a policy may tighten a layer, never loosen it`,
      );
    }
  }
  policy.issuance.forEach((rule, index) => {
    const where = `issuance[${index}] (${rule.id})`;
    checkPartyRole(where, rule);
    if ((rule.maxLayer as number) >= 4)
      problems.push(`${where}: layer 4 (physical harm) can never be issued`);
    if (![1, 2, 3].includes(rule.maxLayer)) problems.push(`${where}: maxLayer must be 1, 2 or 3`);
  });
  const ids = policy.issuance.map((rule) => rule.id);
  if (new Set(ids).size !== ids.length) problems.push('issuance: rule ids must be unique');

  for (const action of POLICY_ACTIONS) {
    const rule = policy.actions[action];
    if (!rule) {
      problems.push(`actions.${action}: missing`);
      continue;
    }
    if (rule.performers.length === 0)
      problems.push(`actions.${action}: needs at least one performer`);
    rule.performers.forEach((performer, i) =>
      checkPartyRole(`actions.${action}.performers[${i}]`, performer),
    );
    rule.approvals.forEach((slot, i) => {
      if (slot.anyOf.length === 0) problems.push(`actions.${action}.approvals[${i}]: names nobody`);
      slot.anyOf.forEach((approver, j) =>
        checkPartyRole(`actions.${action}.approvals[${i}].anyOf[${j}]`, approver),
      );
    });
    if (NEEDS_SECOND_SIGN_OFF.includes(action) && rule.approvals.length === 0) {
      problems.push(`actions.${action}: needs at least one approval besides the proposer`);
    }
    const only = ONLY_POSSIBLE_RELATIONSHIP[action];
    if (only) {
      if (!rule.performers.some((p) => p.relationship === only))
        problems.push(
          `actions.${action}: nobody could ever perform it; name a performer of the ${only}`,
        );
      rule.approvals.forEach((slot, i) => {
        if (slot.anyOf.length > 0 && !slot.anyOf.some((a) => a.relationship === only)) {
          problems.push(
            `actions.${action}.approvals[${i}]: nobody could ever give this approval; name an approver of the ${only}`,
          );
        }
      });
    }
  }
  const transfer = policy.actions['ownership.transfer'];
  if (
    transfer &&
    !transfer.approvals.some(
      (slot) =>
        slot.anyOf.length > 0 && slot.anyOf.every((a) => a.relationship === 'receiving-lessor'),
    )
  ) {
    problems.push(
      'actions.ownership.transfer: the receiving lessor must always approve (a slot of receiving-lessor approvers only)',
    );
  }
  const recovery = policy.actions['theft.recovery'];
  if (recovery && recovery.performers.some((p) => p.relationship !== 'owner')) {
    problems.push('actions.theft.recovery: only the owner may ask to recover a stolen battery');
  }

  const read = policy.regulatoryReadAccess;
  const missingReaders = ART_14_RELATIONSHIPS.filter((r) => !read?.relationships.includes(r));
  if (!read || read.capability !== 'status.read' || missingReaders.length > 0) {
    problems.push(
      `regulatoryReadAccess: read-only state-of-health access (status.read) of the ${ART_14_RELATIONSHIPS.join(' and ')} is required by EU 2023/1542 Art. 14 and cannot be removed${missingReaders.length > 0 ? ` (missing: ${missingReaders.join(', ')})` : ''}`,
    );
  } else if (
    policy.capabilities['status.read'] !== 1 ||
    !SAFE_STATE_CAPABILITIES.includes('status.read')
  ) {
    problems.push('capabilities.status.read: must stay a layer 1 capability');
  }
  if (
    !Number.isInteger(policy.keyLifetimeMaxDays) ||
    policy.keyLifetimeMaxDays < 1 ||
    policy.keyLifetimeMaxDays > KEY_LIFETIME_LIMIT_DAYS
  ) {
    problems.push(
      `keyLifetimeMaxDays: must be a whole number of days from 1 to ${KEY_LIFETIME_LIMIT_DAYS}`,
    );
  }
  return problems;
}

export function assertValidPolicy(policy: PolicyDocument): void {
  const problems = policyProblems(policy);
  if (problems.length > 0)
    throw ruleViolated('policy-invalid', `The policy is refused: ${problems.join('; ')}`, {
      problems,
    });
}
