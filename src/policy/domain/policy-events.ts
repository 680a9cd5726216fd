import type { DomainEvent } from '../../shared/domain/domain-event';
import type { RecordedApproval } from './approvals';
import type { ApprovalSlot, PolicyDocument } from './policy-document';

export type PolicyChangeProposed = DomainEvent<
  'PolicyChangeProposed',
  {
    proposalId: string;
    basedOnVersion: number;
    document: PolicyDocument;
    requiredApprovals: ApprovalSlot[];
  }
>;
export type PolicyChangeApproved = DomainEvent<
  'PolicyChangeApproved',
  { proposalId: string; approval: RecordedApproval }
>;
export type PolicyChangeRejected = DomainEvent<
  'PolicyChangeRejected',
  { proposalId: string; reason: string }
>;
export type PolicyChangeWithdrawn = DomainEvent<'PolicyChangeWithdrawn', { proposalId: string }>;
export type PolicyAdopted = DomainEvent<
  'PolicyAdopted',
  { proposalId: string; version: number; document: PolicyDocument }
>;

export type PolicyEvent =
  | PolicyChangeProposed
  | PolicyChangeApproved
  | PolicyChangeRejected
  | PolicyChangeWithdrawn
  | PolicyAdopted;

/** One policy for the platform, in one stream; version 1 is the default and needs no event. */
export const POLICY_STREAM_ID = 'policy-platform';
export const POLICY_STREAM_PREFIX = 'policy-';
