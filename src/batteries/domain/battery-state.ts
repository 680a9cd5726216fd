import type { RecordedActor } from '../../shared/domain/actor';
import type { RecordedApproval } from '../../policy/domain/approvals';
import type { ApprovalSlot, PolicyAction } from '../../policy/domain/policy-document';
import type { BatteryEvent, BatteryProvisioned, KeyIssued, ProposalKind } from './battery-events';
import { ACCESS_CHANGING_EVENTS } from './battery-events';
import type { TunableParameters } from './tunable-parameters';

type ProvisioningFacts = BatteryProvisioned['data'];

/** A key as issued (its event's data, less the rule that allowed it), with when it was issued. */
export type ActiveKey = Omit<KeyIssued['data'], 'rule'> & { issuedAt: string };

export interface OpenTransfer {
  transferId: string;
  fromOwnerId: string;
  toOwnerId: string;
  requestedAt: string;
  proposedBy: RecordedActor;
  required: ApprovalSlot[];
  approvals: RecordedApproval[];
}

export interface SpecialistContract {
  contractId: string;
  specialistId: string;
  since: string;
}

/** A change waiting for approvals; closed proposals leave the state (their history stays in the stream). */
export interface OpenProposal {
  proposalId: string;
  kind: ProposalKind;
  actions: PolicyAction[];
  parameters: { from: TunableParameters; to: TunableParameters } | null;
  proposedBy: RecordedActor;
  proposedAt: string;
  expiresAt: string;
  policyVersion: number;
  required: ApprovalSlot[];
  approvals: RecordedApproval[];
}

export interface Lease {
  leaseId: string;
  operatorId: string;
  since: string;
}

export type BatteryStatus = 'active' | 'stolen';

/** What provisioning recorded (ownerId and parameters change later), plus what happened since. */
export interface ProvisionedBattery extends ProvisioningFacts {
  provisioned: true;
  status: BatteryStatus;
  lease: Lease | null;
  specialist: SpecialistContract | null;
  openTransfer: OpenTransfer | null;
  proposals: OpenProposal[];
  /** Every proposal id ever used here: an id names one proposal for the battery's life. */
  proposalIds: string[];
  /** Keys not revoked, in issue order. Whether a key's window has started or ended is checked at use. */
  keys: ActiveKey[];
  /** Every key id ever revoked on this battery: a revoked key never comes back. */
  revokedKeyIds: string[];
  /** Every public key (RFC 7638 thumbprint) ever revoked here: not under a new key id either. */
  revokedThumbprints: string[];
  /** Advances by one with every event that changes what the device must enforce. */
  bundleVersion: number;
  /** When the current bundle version came into force: what a bundle's issue time derives from. */
  bundleVersionSince: string;
}

export type BatteryState = { provisioned: false } | ProvisionedBattery;

export const initialBatteryState = (): BatteryState => ({ provisioned: false });

export function evolveBattery(state: BatteryState, event: BatteryEvent): BatteryState {
  if (event.type === 'BatteryProvisioned') {
    const { data } = event;
    return {
      provisioned: true,
      serial: data.serial,
      model: data.model,
      chemistry: data.chemistry,
      manufacturerId: data.manufacturerId,
      ownerId: data.ownerId,
      hardLimits: data.hardLimits,
      parameters: data.parameters,
      deviceKey: data.deviceKey,
      status: 'active',
      lease: null,
      specialist: null,
      openTransfer: null,
      proposals: [],
      proposalIds: [],
      keys: [],
      revokedKeyIds: [],
      revokedThumbprints: [],
      bundleVersion: 1,
      bundleVersionSince: event.meta.occurredAt,
    };
  }
  if (!state.provisioned) return state;
  const next = applyToProvisioned(state, event);
  return ACCESS_CHANGING_EVENTS.has(event.type)
    ? { ...next, bundleVersion: next.bundleVersion + 1, bundleVersionSince: event.meta.occurredAt }
    : next;
}

function applyToProvisioned(state: ProvisionedBattery, event: BatteryEvent): ProvisionedBattery {
  switch (event.type) {
    case 'BatteryProvisioned':
      return state;
    case 'OwnershipTransferRequested': {
      const { requiredApprovals, ...transfer } = event.data;
      return {
        ...state,
        openTransfer: {
          ...transfer,
          requestedAt: event.meta.occurredAt,
          proposedBy: event.meta.actor,
          required: requiredApprovals,
          approvals: [],
        },
      };
    }
    case 'OwnershipTransferAccepted':
    case 'OwnershipTransferApproved':
      return state.openTransfer
        ? {
            ...state,
            openTransfer: {
              ...state.openTransfer,
              approvals: [...state.openTransfer.approvals, event.data.approval],
            },
          }
        : state;
    case 'OwnershipTransferCancelled':
      return { ...state, openTransfer: null };
    case 'OwnershipTransferred':
      return { ...state, ownerId: event.data.toOwnerId, openTransfer: null };
    case 'LeaseAssigned':
      return {
        ...state,
        lease: {
          leaseId: event.data.leaseId,
          operatorId: event.data.operatorId,
          since: event.meta.occurredAt,
        },
      };
    case 'LeaseEnded':
      return { ...state, lease: null };
    case 'SpecialistContracted':
      return {
        ...state,
        specialist: {
          contractId: event.data.contractId,
          specialistId: event.data.specialistId,
          since: event.meta.occurredAt,
        },
      };
    case 'SpecialistContractEnded':
      return { ...state, specialist: null };
    case 'KeyIssued': {
      const { rule: _rule, ...key } = event.data;
      return { ...state, keys: [...state.keys, { ...key, issuedAt: event.meta.occurredAt }] };
    }
    case 'KeyRevoked':
      return {
        ...state,
        keys: state.keys.filter((key) => key.keyId !== event.data.keyId),
        revokedKeyIds: [...state.revokedKeyIds, event.data.keyId],
        revokedThumbprints: [...state.revokedThumbprints, event.data.thumbprint],
      };
    case 'BatteryReportedStolen':
      return { ...state, status: 'stolen' };
    case 'ChangeProposed': {
      const { requiredApprovals, ...proposal } = event.data;
      const opened: OpenProposal = {
        ...proposal,
        proposedBy: event.meta.actor,
        proposedAt: event.meta.occurredAt,
        policyVersion: event.meta.policyVersion,
        required: requiredApprovals,
        approvals: [],
      };
      return {
        ...state,
        proposals: [...state.proposals, opened],
        proposalIds: [...state.proposalIds, opened.proposalId],
      };
    }
    case 'ProposalApproved':
      return {
        ...state,
        proposals: state.proposals.map((p) =>
          p.proposalId === event.data.proposalId
            ? { ...p, approvals: [...p.approvals, event.data.approval] }
            : p,
        ),
      };
    case 'ApprovalLapsed': {
      const { proposalId, slot } = event.data;
      const without = (approvals: RecordedApproval[]) => approvals.filter((a) => a.slot !== slot);
      if (state.openTransfer?.transferId === proposalId)
        return {
          ...state,
          openTransfer: { ...state.openTransfer, approvals: without(state.openTransfer.approvals) },
        };
      return {
        ...state,
        proposals: state.proposals.map((p) =>
          p.proposalId === proposalId ? { ...p, approvals: without(p.approvals) } : p,
        ),
      };
    }
    case 'ProposalRejected':
    case 'ProposalWithdrawn':
    case 'ProposalExpired':
      return withoutProposal(state, event.data.proposalId);
    case 'ParametersChanged':
      return { ...withoutProposal(state, event.data.proposalId), parameters: event.data.to };
    case 'BatteryRecovered':
      return { ...withoutProposal(state, event.data.proposalId), status: 'active' };
  }
}

function withoutProposal(state: ProvisionedBattery, proposalId: string): ProvisionedBattery {
  return { ...state, proposals: state.proposals.filter((p) => p.proposalId !== proposalId) };
}
