import type { DomainEvent } from '../../shared/domain/domain-event';
import type { RecordedApproval } from '../../policy/domain/approvals';
import type { ApprovalSlot, PolicyAction } from '../../policy/domain/policy-document';
import type { Capability } from '../../policy/domain/capability-catalogue';
import type { KeyAuthority } from '../../policy/domain/key-authority';
import type { PublicKey } from '../../shared/domain/public-key';
import type { HardLimits } from './hard-limits';
import type { TunableParameters } from './tunable-parameters';

export interface KeyHolder {
  personId: string;
  partyId: string;
}

export type ProposalKind = 'parameter-change' | 'theft-recovery';

export type BatteryProvisioned = DomainEvent<
  'BatteryProvisioned',
  {
    serial: string;
    model: string;
    chemistry: string;
    manufacturerId: string;
    ownerId: string;
    hardLimits: HardLimits;
    parameters: TunableParameters;
    deviceKey: PublicKey;
  }
>;
export type OwnershipTransferRequested = DomainEvent<
  'OwnershipTransferRequested',
  { transferId: string; fromOwnerId: string; toOwnerId: string; requiredApprovals: ApprovalSlot[] }
>;
/** The receiving lessor's approval. */
export type OwnershipTransferAccepted = DomainEvent<
  'OwnershipTransferAccepted',
  { transferId: string; toOwnerId: string; approval: RecordedApproval }
>;
/** Any other approval the policy asks of a transfer. */
export type OwnershipTransferApproved = DomainEvent<
  'OwnershipTransferApproved',
  { transferId: string; approval: RecordedApproval }
>;
export type OwnershipTransferCancelled = DomainEvent<
  'OwnershipTransferCancelled',
  { transferId: string; cancelledByPartyId: string }
>;
export type OwnershipTransferred = DomainEvent<
  'OwnershipTransferred',
  { transferId: string; fromOwnerId: string; toOwnerId: string }
>;
export type LeaseAssigned = DomainEvent<'LeaseAssigned', { leaseId: string; operatorId: string }>;
export type LeaseEnded = DomainEvent<
  'LeaseEnded',
  { leaseId: string; operatorId: string; cause: 'ended-by-owner' | 'ownership-transferred' }
>;
export type SpecialistContracted = DomainEvent<
  'SpecialistContracted',
  { contractId: string; specialistId: string }
>;
export type SpecialistContractEnded = DomainEvent<
  'SpecialistContractEnded',
  { contractId: string; specialistId: string; cause: 'ended-by-owner' | 'ownership-transferred' }
>;
export type KeyIssued = DomainEvent<
  'KeyIssued',
  {
    keyId: string;
    holder: KeyHolder;
    publicKey: PublicKey;
    capabilities: Capability[];
    notBefore: string;
    notAfter: string;
    authority: KeyAuthority;
    /** The issuer-matrix rule that allowed it. */
    rule: string;
  }
>;
export type KeyRevoked = DomainEvent<
  'KeyRevoked',
  {
    keyId: string;
    thumbprint: string;
    cause: 'revoked' | 'ownership-transferred' | 'lease-ended';
    reason: string;
  }
>;
export type BatteryReportedStolen = DomainEvent<
  'BatteryReportedStolen',
  { reportedByPartyId: string }
>;
export type ChangeProposed = DomainEvent<
  'ChangeProposed',
  {
    proposalId: string;
    kind: ProposalKind;
    /** The policy actions the proposal falls under; their approval slots are merged. */
    actions: PolicyAction[];
    /** For parameter changes: every parameter before and after, so approvers see the whole change. */
    parameters: { from: TunableParameters; to: TunableParameters } | null;
    requiredApprovals: ApprovalSlot[];
    expiresAt: string;
  }
>;
export type ProposalApproved = DomainEvent<
  'ProposalApproved',
  { proposalId: string; approval: RecordedApproval }
>;
/**
 * An approval stopped counting because the authority behind it ended (the approver's party no
 * longer stands in the relationship it approved as): its slot is open again.
 */
export type ApprovalLapsed = DomainEvent<
  'ApprovalLapsed',
  { proposalId: string; slot: number; approver: RecordedApproval['approver']; reason: string }
>;
export type ProposalRejected = DomainEvent<
  'ProposalRejected',
  { proposalId: string; reason: string }
>;
export type ProposalWithdrawn = DomainEvent<'ProposalWithdrawn', { proposalId: string }>;
export type ProposalExpired = DomainEvent<'ProposalExpired', { proposalId: string }>;
export type ParametersChanged = DomainEvent<
  'ParametersChanged',
  { proposalId: string; from: TunableParameters; to: TunableParameters }
>;
export type BatteryRecovered = DomainEvent<'BatteryRecovered', { proposalId: string }>;

export type BatteryEvent =
  | BatteryProvisioned
  | OwnershipTransferRequested
  | OwnershipTransferAccepted
  | OwnershipTransferApproved
  | OwnershipTransferCancelled
  | OwnershipTransferred
  | LeaseAssigned
  | LeaseEnded
  | SpecialistContracted
  | SpecialistContractEnded
  | KeyIssued
  | KeyRevoked
  | BatteryReportedStolen
  | ChangeProposed
  | ProposalApproved
  | ApprovalLapsed
  | ProposalRejected
  | ProposalWithdrawn
  | ProposalExpired
  | ParametersChanged
  | BatteryRecovered;

export type BatteryEventType = BatteryEvent['type'];

/**
 * Events that change what a device must enforce. Only these advance the bundle version, so audit
 * events (a request, an approval, later a device's acknowledgement) never make a fleet re-download.
 */
export const ACCESS_CHANGING_EVENTS: ReadonlySet<BatteryEventType> = new Set<BatteryEventType>([
  'BatteryProvisioned',
  'OwnershipTransferred',
  'LeaseAssigned',
  'LeaseEnded',
  'KeyIssued',
  'KeyRevoked',
  'BatteryReportedStolen',
  'ParametersChanged',
  'BatteryRecovered',
]);

export const BATTERY_STREAM_PREFIX = 'battery-';
export const batteryStreamId = (serial: string) => `${BATTERY_STREAM_PREFIX}${serial}`;
