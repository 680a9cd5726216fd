import type { ApprovalSlot, Explanation, PartyRole, PolicyView, Relationship } from './api/types';

/** The policy's names in plain words: `cell-engineer` → "cell engineer". */
export const plain = (name: string) => name.replace(/[-_.]/g, ' ');

const RELATIONSHIP: Record<Relationship, string> = {
  owner: 'owner',
  operator: 'operator',
  'cell-specialist': 'cell specialist',
  'receiving-lessor': 'receiving lessor',
  manufacturer: 'manufacturer',
  platform: 'platform',
};

/** "the cell specialist's cell engineer" */
export const who = ({ relationship, role }: PartyRole) =>
  `the ${RELATIONSHIP[relationship] ?? plain(relationship)}'s ${plain(role)}`;

/** "the owner's owner admin or the owner's fleet finance" */
export const anyOf = (roles: PartyRole[]) => roles.map(who).join(' or ');

/** One approval per slot: "the owner's owner admin and the cell specialist's cell engineer". */
export const allOf = (slots: { anyOf: PartyRole[] }[]) =>
  slots.map((slot) => anyOf(slot.anyOf)).join(', and ');

export const ACTION_LABELS: Record<string, string> = {
  'ownership.transfer': 'transfer ownership',
  'ownership.transfer.cancel': 'cancel the transfer',
  'lease.assign': 'lease to an operator',
  'lease.end': 'end the lease',
  'specialist.contract': 'contract a cell specialist',
  'specialist.end': 'end the specialist contract',
  'key.revoke': 'revoke keys',
  'key.issue': 'issue keys',
  'theft.report': 'report the battery stolen',
  'theft.recovery': 'recover the battery',
  'parameters.soc-window': 'change the state-of-charge window',
  'parameters.charge-voltage': 'change the charge voltage',
  'parameters.rate-limits': 'change the rate limits',
  'proposal.approve': 'approve this',
  'policy.change': 'change the policy',
};
export const actionLabel = (action: string) => ACTION_LABELS[action] ?? plain(action);

/**
 * An explain answer as a sentence a person acts on: what they may do and whose approval it then
 * needs, or why not and who could. The service's own reason follows in the details.
 */
export function explainInWords(answer: Explanation, policy?: PolicyView): string {
  const action = actionLabel(answer.action);
  if (answer.allowed) {
    const missing: { anyOf: PartyRole[] }[] =
      answer.approvalsMissing.length > 0 ? answer.approvalsMissing : answer.approvalsRequired;
    return missing.length === 0
      ? `You may ${action}; it takes effect at once.`
      : `You may ${action}; it takes effect once ${allOf(missing)} approve${missing.length > 1 ? '' : 's'}.`;
  }
  switch (answer.code) {
    case 'role-required':
    case 'no-relationship':
      return `You may not ${action}: that is for ${performersOf(answer, policy)}.`;
    case 'proposer-cannot-approve':
      return 'You proposed this: the approval must come from another person.';
    case 'already-approved':
      return 'You have approved this already; it waits for the others.';
    default:
      return `You may not ${action}: ${lowerFirst(answer.reason)}.`;
  }
}

/** Who may: the performers of the rule in the policy the answer was given under. */
function performersOf(answer: Explanation, policy: PolicyView | undefined): string {
  // The document names each action it has a rule for; explain answers with the action as text.
  const rules: Partial<Record<string, { performers: PartyRole[] }>> =
    policy?.document.actions ?? {};
  const performers = rules[answer.action]?.performers;
  return performers && performers.length > 0 ? anyOf(performers) : lowerFirst(answer.reason);
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

export const slotsInWords = (slots: ApprovalSlot[]) => (slots.length ? allOf(slots) : 'nobody');

export const dateTime = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—';
