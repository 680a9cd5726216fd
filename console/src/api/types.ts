/**
 * The API's shapes as the console reads them, typed by hand from the service's own types
 * (src/batteries/queries/battery-view.ts, src/policy/domain/explain.ts, src/audit/queries,
 * src/devices/queries): no generated OpenAPI types existed when the console was written.
 */
export type Relationship =
  'owner' | 'operator' | 'cell-specialist' | 'receiving-lessor' | 'manufacturer' | 'platform';

export interface PartyRole {
  relationship: Relationship;
  role: string;
}
export interface ApprovalSlot {
  anyOf: PartyRole[];
}
export interface RecordedActor {
  personId: string;
  partyId: string;
  role: string;
}
export interface RecordedApproval {
  slot: number;
  approver: RecordedActor;
  relationship: Relationship;
}

export interface TunableParameters {
  socMinPercent: number;
  socMaxPercent: number;
  chargeCellVoltageMaxV: number;
  chargeCurrentLimitA: number;
  dischargeCurrentLimitA: number;
}

export interface OpenProposal {
  proposalId: string;
  kind: 'parameter-change' | 'theft-recovery';
  actions: string[];
  parameters: { from: TunableParameters; to: TunableParameters } | null;
  proposedBy: RecordedActor;
  proposedAt: string;
  expiresAt: string;
  policyVersion: number;
  required: ApprovalSlot[];
  approvals: RecordedApproval[];
}

export interface OpenTransfer {
  transferId: string;
  fromOwnerId: string;
  toOwnerId: string;
  requestedAt: string;
  proposedBy: RecordedActor;
  required: ApprovalSlot[];
  approvals: RecordedApproval[];
}

export interface ActiveKey {
  keyId: string;
  holder: { personId: string; partyId: string };
  capabilities: string[];
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  authority: { relationship: 'owner' | 'operator'; partyId: string; leaseId?: string };
}

export interface Battery {
  serial: string;
  model: string;
  chemistry: string;
  manufacturerId: string;
  ownerId: string;
  lease: { leaseId: string; operatorId: string; since: string } | null;
  specialist: { contractId: string; specialistId: string; since: string } | null;
  status: 'active' | 'stolen';
  openTransfer: OpenTransfer | null;
  proposals: OpenProposal[];
  hardLimits: Record<string, number>;
  parameters: TunableParameters;
  keys: ActiveKey[];
  revision: number;
  bundleVersion: number;
  position: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PendingApproval {
  serial: string;
  proposalId: string;
  kind: string;
  expiresAt: string | null;
  proposal: OpenProposal | OpenTransfer;
  approvalsMissing: { slot: number; anyOf: PartyRole[] }[];
}

export interface Explanation {
  allowed: boolean;
  action: string;
  policyVersion: number;
  rule: string | null;
  relationship: Relationship | null;
  role: string | null;
  code: string | null;
  reason: string;
  approvalsRequired: ApprovalSlot[];
  subject: { personId: string; partyId: string; roles: string[] };
  serial: string | null;
  relationships: Relationship[];
  approvalsMissing: { slot: number; anyOf: PartyRole[] }[];
}

export interface AuditEntry {
  position: string;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  actor: { personId: string; partyId: string; role: string };
  occurredAt: string;
  reason: string | null;
  requestId: string;
  policyVersion: number | null;
}

export interface AppliedBundle {
  ver: number;
  iat: number;
  at: string;
}
export interface Exposure {
  serial: string;
  keyId: string;
  kid: string;
  revokedAt: string;
  keyNotAfter: string;
  applied: AppliedBundle | null;
  currentVersion: number;
}
export interface SyncStatus {
  serial: string;
  current: { ver: number; since: string };
  applied: AppliedBundle | null;
  lagging: boolean;
  lagSince: string | null;
  exposures: Exposure[];
}
export type LaggingDevice = Omit<SyncStatus, 'exposures'>;

export interface PolicyView {
  version: number;
  document: {
    capabilities: Record<string, number>;
    actions: Record<string, { performers: PartyRole[]; approvals: ApprovalSlot[] }>;
  };
}

export interface CommandOutcome {
  revision: number;
  position: string;
  events: { type: string }[];
}

/** RFC 9457 problem details as the service answers them. */
export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail: string;
  requestId?: string;
  errors?: { path: string; message: string }[];
}
