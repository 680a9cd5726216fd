import type { RecordedActor } from '../../shared/domain/actor';
import type { CommandContext } from './command-context';
import type { Decider } from '../../shared/domain/decider';
import { conflict, forbidden, notFound } from '../../shared/domain/domain-error';
import { recordedBy } from '../../shared/domain/domain-event';
import { approve, quorumMet, samePerson, type RecordedApproval } from './approvals';
import { DEFAULT_POLICY } from './default-policy';
import type { ActivePolicy, ApprovalSlot, PolicyDocument } from './policy-document';
import { evaluateAction, requireAllowed } from './policy-evaluation';
import type { PolicyEvent } from './policy-events';
import { relationshipsOf } from './relationship';
import { upcastPolicyDocument, type PolicyDocumentInput } from './upcast-policy';
import { assertValidPolicy } from './validate-policy';

export interface PendingPolicyChange {
  proposalId: string;
  basedOnVersion: number;
  document: PolicyDocument;
  proposedBy: RecordedActor;
  required: ApprovalSlot[];
  approvals: RecordedApproval[];
}

export interface PolicyState {
  active: ActivePolicy;
  pending: PendingPolicyChange | null;
}

type Base = { context: CommandContext };
export type PolicyCommand =
  | (Base & { type: 'ProposePolicyChange'; proposalId: string; document: PolicyDocumentInput })
  | (Base & { type: 'ApprovePolicyChange'; proposalId: string })
  | (Base & { type: 'RejectPolicyChange'; proposalId: string; reason: string })
  | (Base & { type: 'WithdrawPolicyChange'; proposalId: string });

/**
 * Changing who may do what is itself a change that needs approval: proposed, validated, approved
 * by the people the *current* policy names, then adopted as the next version.
 */
export const policyDecider: Decider<PolicyCommand, PolicyState, PolicyEvent> = {
  initialState: () => ({ active: DEFAULT_POLICY, pending: null }),

  evolve(state, event) {
    switch (event.type) {
      case 'PolicyChangeProposed':
        return {
          ...state,
          pending: {
            ...event.data,
            document: upcastPolicyDocument(event.data.document),
            proposedBy: event.meta.actor,
            required: event.data.requiredApprovals,
            approvals: [],
          },
        };
      case 'PolicyChangeApproved':
        return state.pending
          ? {
              ...state,
              pending: {
                ...state.pending,
                approvals: [...state.pending.approvals, event.data.approval],
              },
            }
          : state;
      case 'PolicyChangeRejected':
      case 'PolicyChangeWithdrawn':
        return { ...state, pending: null };
      case 'PolicyAdopted':
        return {
          active: {
            version: event.data.version,
            document: upcastPolicyDocument(event.data.document),
          },
          pending: null,
        };
    }
  },

  decide(command, state) {
    const { context } = command;
    const platform = relationshipsOf(context.actor.partyId, {});
    switch (command.type) {
      case 'ProposePolicyChange': {
        const decision = evaluateAction(state.active, 'policy.change', context.actor, {});
        const { role } = requireAllowed(decision);
        if (state.pending)
          throw conflict(
            'policy-change-open',
            `Policy change ${state.pending.proposalId} is still open`,
          );
        const document = upcastPolicyDocument(command.document);
        assertValidPolicy(document);
        return [
          {
            type: 'PolicyChangeProposed',
            data: {
              proposalId: command.proposalId,
              basedOnVersion: state.active.version,
              document,
              requiredApprovals: decision.approvalsRequired,
            },
            meta: recordedBy(context, role),
          },
        ];
      }
      case 'ApprovePolicyChange': {
        const pending = pendingChange(state, command.proposalId);
        const approval = approve(pending, context.actor, platform);
        const meta = recordedBy(context, approval.approver.role);
        const approved: PolicyEvent = {
          type: 'PolicyChangeApproved',
          data: { proposalId: pending.proposalId, approval },
          meta,
        };
        if (!quorumMet({ ...pending, approvals: [...pending.approvals, approval] }))
          return [approved];
        assertValidPolicy(pending.document);
        return [
          approved,
          {
            type: 'PolicyAdopted',
            data: {
              proposalId: pending.proposalId,
              version: state.active.version + 1,
              document: pending.document,
            },
            meta,
          },
        ];
      }
      case 'RejectPolicyChange': {
        const pending = pendingChange(state, command.proposalId);
        const { role } = requireAllowed(
          evaluateAction(state.active, 'policy.change', context.actor, {}),
        );
        if (samePerson(context.actor, pending.proposedBy))
          throw forbidden('not-an-eligible-approver', 'The proposer withdraws instead');
        return [
          {
            type: 'PolicyChangeRejected',
            data: { proposalId: pending.proposalId, reason: command.reason },
            meta: recordedBy(context, role),
          },
        ];
      }
      case 'WithdrawPolicyChange': {
        const pending = pendingChange(state, command.proposalId);
        if (!samePerson(context.actor, pending.proposedBy))
          throw forbidden('not-the-proposer', 'Only the proposer may withdraw a policy change');
        return [
          {
            type: 'PolicyChangeWithdrawn',
            data: { proposalId: pending.proposalId },
            meta: recordedBy(context, pending.proposedBy.role),
          },
        ];
      }
    }
  },
};

function pendingChange(state: PolicyState, proposalId: string): PendingPolicyChange {
  if (!state.pending || state.pending.proposalId !== proposalId)
    throw notFound('policy-change-not-found', `No open policy change ${proposalId}`);
  return state.pending;
}
