import { conflict, forbidden, notFound, ruleViolated } from '../../shared/domain/domain-error';
import { recordedBy, type EventMeta } from '../../shared/domain/domain-event';
import { approve, quorumMet, samePerson } from '../../policy/domain/approvals';
import type { ApprovalSlot, PolicyAction } from '../../policy/domain/policy-document';
import { evaluateAction, requireAllowed } from '../../policy/domain/policy-evaluation';
import { relationshipsOf } from '../../policy/domain/relationship';
import type {
  ApproveProposal,
  ProposeParameterChange,
  RejectProposal,
  RequestRecovery,
  WithdrawProposal,
} from './battery-commands';
import type { BatteryEvent, ProposalKind } from './battery-events';
import { approvalStillHolds, lapse, proposerStillEntitled } from './authority-reconciliation';
import { assertNotStolen, relationshipFacts } from './battery-facts';
import type { OpenProposal, ProvisionedBattery } from './battery-state';
import { assertWithinHardLimits, type TunableParameters } from './tunable-parameters';

/** Which policy action governs each tunable parameter. */
const ACTION_OF_PARAMETER: Record<keyof TunableParameters, PolicyAction> = {
  socMinPercent: 'parameters.soc-window',
  socMaxPercent: 'parameters.soc-window',
  chargeCellVoltageMaxV: 'parameters.charge-voltage',
  chargeCurrentLimitA: 'parameters.rate-limits',
  dischargeCurrentLimitA: 'parameters.rate-limits',
};

const isExpired = (proposal: OpenProposal, now: Date) =>
  now.getTime() >= new Date(proposal.expiresAt).getTime();

/**
 * Proposes new values for tunable parameters. A value outside the hard limits is refused here,
 * before anyone is asked to approve it, and again when the last approval would apply it.
 */
export function proposeParameterChange(
  command: ProposeParameterChange,
  battery: ProvisionedBattery,
): BatteryEvent[] {
  const { context } = command;
  const changed = (Object.keys(command.parameters) as (keyof TunableParameters)[]).filter(
    (name) =>
      command.parameters[name] !== undefined &&
      command.parameters[name] !== battery.parameters[name],
  );
  if (changed.length === 0) throw ruleViolated('no-change', 'The proposal changes no parameter');
  const actions = [...new Set(changed.map((name) => ACTION_OF_PARAMETER[name]))];
  const decisions = actions.map((action) =>
    evaluateAction(context.policy, action, context.actor, relationshipFacts(battery)),
  );
  const roles = decisions.map(requireAllowed);
  assertNotStolen(battery, 'reconfigured');
  const to: TunableParameters = { ...battery.parameters, ...definedOnly(command.parameters) };
  assertWithinHardLimits(to, battery.hardLimits);
  return openProposal(
    command,
    battery,
    'parameter-change',
    actions,
    { from: battery.parameters, to },
    mergeSlots(decisions.map((d) => d.approvalsRequired)),
    roles[0].role,
  );
}

/** Recovering a stolen battery: the owner asks, and one more approver must agree. */
export function requestRecovery(
  command: RequestRecovery,
  battery: ProvisionedBattery,
): BatteryEvent[] {
  const decision = evaluateAction(
    command.context.policy,
    'theft.recovery',
    command.context.actor,
    relationshipFacts(battery),
  );
  const { role } = requireAllowed(decision);
  if (battery.status !== 'stolen')
    throw conflict('not-stolen', 'The battery is not reported stolen');
  return openProposal(
    command,
    battery,
    'theft-recovery',
    ['theft.recovery'],
    null,
    decision.approvalsRequired,
    role,
  );
}

function openProposal(
  command: ProposeParameterChange | RequestRecovery,
  battery: ProvisionedBattery,
  kind: ProposalKind,
  actions: PolicyAction[],
  parameters: OpenProposal['parameters'],
  requiredApprovals: ApprovalSlot[],
  role: string,
): BatteryEvent[] {
  const { context } = command;
  if (command.expiresAt <= context.now)
    throw ruleViolated('already-expired', 'expiresAt must be in the future');
  if (battery.proposalIds.includes(command.proposalId))
    throw conflict(
      'proposal-id-taken',
      `Proposal id ${command.proposalId} is already used on this battery`,
    );
  const meta = recordedBy(context, role);
  const expired: BatteryEvent[] = [];
  for (const open of battery.proposals.filter((p) => p.kind === kind)) {
    if (!isExpired(open, context.now)) {
      throw conflict(
        'proposal-already-open',
        `Proposal ${open.proposalId} of this kind is still open; withdraw it or let it expire`,
        { proposalId: open.proposalId },
      );
    }
    expired.push({ type: 'ProposalExpired', data: { proposalId: open.proposalId }, meta });
  }
  const proposed: BatteryEvent = {
    type: 'ChangeProposed',
    data: {
      proposalId: command.proposalId,
      kind,
      actions,
      parameters,
      requiredApprovals,
      expiresAt: command.expiresAt.toISOString(),
    },
    meta,
  };
  // A policy without approvals for this action applies at once; the default policy always asks.
  if (requiredApprovals.length === 0)
    return [...expired, proposed, effectOf(kind, command.proposalId, parameters, battery, meta)];
  return [...expired, proposed];
}

/**
 * Approves, and applies the change when this approval completes the quorum. Everything is checked
 * again as it stands now, not as it stood when the others approved: an approval whose authority
 * ended does not count (it lapses, on the record), a proposer who may no longer propose it cannot
 * have it applied, and a stolen battery takes no parameter change.
 */
export function approveProposal(
  command: ApproveProposal,
  battery: ProvisionedBattery,
): BatteryEvent[] {
  const { context } = command;
  const proposal = openProposalById(battery, command.proposalId, context.now);
  const facts = relationshipFacts(battery);
  if (proposal.kind === 'parameter-change') assertNotStolen(battery, 'reconfigured');
  if (!proposerStillEntitled(proposal, context.policy, facts)) {
    throw conflict(
      'proposer-authority-ended',
      `The proposer (${proposal.proposedBy.role} of party ${proposal.proposedBy.partyId}) may no longer make this change; it cannot be applied`,
    );
  }
  const standing = proposal.approvals.filter((a) => approvalStillHolds(a, facts));
  const pending = {
    proposedBy: proposal.proposedBy,
    required: proposal.required,
    approvals: standing,
  };
  const approval = approve(pending, context.actor, relationshipsOf(context.actor.partyId, facts));
  const meta = recordedBy(context, approval.approver.role);
  const lapsed = proposal.approvals
    .filter((a) => !standing.includes(a))
    .map((a) => lapse(proposal.proposalId, a, meta));
  const approved: BatteryEvent = {
    type: 'ProposalApproved',
    data: { proposalId: proposal.proposalId, approval },
    meta,
  };
  if (!quorumMet({ ...pending, approvals: [...standing, approval] })) return [...lapsed, approved];
  return [
    ...lapsed,
    approved,
    effectOf(proposal.kind, proposal.proposalId, proposal.parameters, battery, meta),
  ];
}

/** What an approved proposal does; the typo guard runs again whatever the approvals said. */
function effectOf(
  kind: ProposalKind,
  proposalId: string,
  parameters: OpenProposal['parameters'],
  battery: ProvisionedBattery,
  meta: EventMeta,
): BatteryEvent {
  if (kind === 'theft-recovery') {
    if (battery.status !== 'stolen')
      throw conflict('not-stolen', 'The battery is not reported stolen');
    return { type: 'BatteryRecovered', data: { proposalId }, meta };
  }
  const change = parameters as NonNullable<OpenProposal['parameters']>;
  assertWithinHardLimits(change.to, battery.hardLimits);
  return {
    type: 'ParametersChanged',
    data: { proposalId, from: battery.parameters, to: change.to },
    meta,
  };
}

/** Any person who could approve may instead reject; the proposal closes. */
export function rejectProposal(
  command: RejectProposal,
  battery: ProvisionedBattery,
): BatteryEvent[] {
  const proposal = openProposalById(battery, command.proposalId, command.context.now);
  const { actor } = command.context;
  const relationships = relationshipsOf(actor.partyId, relationshipFacts(battery));
  const as = proposal.required
    .flatMap((slot) => slot.anyOf)
    .find((p) => relationships.includes(p.relationship) && actor.roles.includes(p.role));
  if (!as || samePerson(actor, proposal.proposedBy)) {
    throw forbidden(
      'not-an-eligible-approver',
      'Only a person who could approve this proposal may reject it; its proposer withdraws it instead',
    );
  }
  return [
    {
      type: 'ProposalRejected',
      data: { proposalId: proposal.proposalId, reason: command.reason },
      meta: recordedBy(command.context, as.role),
    },
  ];
}

export function withdrawProposal(
  command: WithdrawProposal,
  battery: ProvisionedBattery,
): BatteryEvent[] {
  const proposal = openProposalById(battery, command.proposalId, command.context.now);
  const { actor } = command.context;
  if (!samePerson(actor, proposal.proposedBy)) {
    throw forbidden('not-the-proposer', 'Only the proposer may withdraw a proposal');
  }
  return [
    {
      type: 'ProposalWithdrawn',
      data: { proposalId: proposal.proposalId },
      meta: recordedBy(command.context, proposal.proposedBy.role),
    },
  ];
}

function openProposalById(
  battery: ProvisionedBattery,
  proposalId: string,
  now: Date,
): OpenProposal {
  const proposal = battery.proposals.find((p) => p.proposalId === proposalId);
  if (!proposal)
    throw notFound('proposal-not-found', `No open proposal ${proposalId} on this battery`);
  if (isExpired(proposal, now))
    throw conflict('proposal-expired', `Proposal ${proposalId} expired at ${proposal.expiresAt}`);
  return proposal;
}

function mergeSlots(groups: ApprovalSlot[][]): ApprovalSlot[] {
  const seen = new Set<string>();
  return groups.flat().filter((slot) => {
    const key = JSON.stringify(slot);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function definedOnly(parameters: Partial<TunableParameters>): Partial<TunableParameters> {
  return Object.fromEntries(Object.entries(parameters).filter(([, value]) => value !== undefined));
}
