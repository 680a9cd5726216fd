import { ruleViolated } from '../../shared/domain/domain-error';
import { SAFE_STATE_CAPABILITIES } from '../../batteries/domain/capability-catalogue';
import { POLICY_ACTIONS, type PartyRole, type PolicyAction, type PolicyDocument } from './policy-document';
import { RELATIONSHIPS } from './relationship';

/** Actions whose harm is such that no policy may let one person do them alone. */
const NEEDS_SECOND_SIGN_OFF: PolicyAction[] = ['parameters.soc-window', 'parameters.charge-voltage', 'parameters.rate-limits', 'theft.recovery', 'policy.change'];

/**
 * Everything wrong with a policy document, each as a sentence naming the rule. A policy is adopted
 * only when this is empty.
 */
export function policyProblems(policy: PolicyDocument): string[] {
  const problems: string[] = [];
  const roles = new Set(policy.roles);
  const checkPartyRole = (where: string, partyRole: PartyRole) => {
    if (!roles.has(partyRole.role)) problems.push(`${where}: role "${partyRole.role}" is not defined in roles`);
    if (!(RELATIONSHIPS as readonly string[]).includes(partyRole.relationship)) problems.push(`${where}: unknown relationship "${partyRole.relationship}"`);
  };

  for (const [capability, layer] of Object.entries(policy.capabilities)) {
    if (![1, 2, 3, 4].includes(layer)) problems.push(`capabilities.${capability}: layer must be 1, 2, 3 or 4`);
  }
  policy.issuance.forEach((rule, index) => {
    const where = `issuance[${index}] (${rule.id})`;
    checkPartyRole(where, rule);
    if ((rule.maxLayer as number) >= 4) problems.push(`${where}: layer 4 (physical harm) can never be issued`);
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
    if (rule.performers.length === 0) problems.push(`actions.${action}: needs at least one performer`);
    rule.performers.forEach((performer, i) => checkPartyRole(`actions.${action}.performers[${i}]`, performer));
    rule.approvals.forEach((slot, i) => {
      if (slot.anyOf.length === 0) problems.push(`actions.${action}.approvals[${i}]: names nobody`);
      slot.anyOf.forEach((approver, j) => checkPartyRole(`actions.${action}.approvals[${i}].anyOf[${j}]`, approver));
    });
    if (NEEDS_SECOND_SIGN_OFF.includes(action) && rule.approvals.length === 0) {
      problems.push(`actions.${action}: needs at least one approval besides the proposer`);
    }
  }
  const transfer = policy.actions['ownership.transfer'];
  if (transfer && !transfer.approvals.some((slot) => slot.anyOf.length > 0 && slot.anyOf.every((a) => a.relationship === 'receiving-lessor'))) {
    problems.push('actions.ownership.transfer: the receiving lessor must always approve (a slot of receiving-lessor approvers only)');
  }
  const recovery = policy.actions['theft.recovery'];
  if (recovery && recovery.performers.some((p) => p.relationship !== 'owner')) {
    problems.push('actions.theft.recovery: only the owner may ask to recover a stolen battery');
  }

  const read = policy.regulatoryReadAccess;
  if (!read || read.capability !== 'status.read' || !read.relationships.includes('owner')) {
    problems.push('regulatoryReadAccess: read-only state-of-health access (status.read) of the lawful purchaser (owner) is required by EU 2023/1542 Art. 14 and cannot be removed');
  } else if (policy.capabilities['status.read'] !== 1 || !SAFE_STATE_CAPABILITIES.includes('status.read')) {
    problems.push('capabilities.status.read: must stay a layer 1 capability');
  }
  return problems;
}

export function assertValidPolicy(policy: PolicyDocument): void {
  const problems = policyProblems(policy);
  if (problems.length > 0) throw ruleViolated('policy-invalid', `The policy is refused: ${problems.join('; ')}`, { problems });
}
