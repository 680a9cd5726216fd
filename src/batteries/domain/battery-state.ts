import type { Capability } from './capability-catalogue';
import type { BatteryEvent, KeyAuthority, KeyHolder, PublicKey } from './battery-events';
import { ACCESS_CHANGING_EVENTS } from './battery-events';
import type { HardLimits } from './hard-limits';
import type { TunableParameters } from './tunable-parameters';

export interface ActiveKey {
  keyId: string;
  holder: KeyHolder;
  publicKey: PublicKey;
  capabilities: Capability[];
  notBefore: string;
  notAfter: string;
  authority: KeyAuthority;
  issuedAt: string;
}

export interface OpenTransfer {
  transferId: string;
  fromOwnerId: string;
  toOwnerId: string;
  requestedAt: string;
}

export interface Lease {
  leaseId: string;
  operatorId: string;
  since: string;
}

export type BatteryStatus = 'active' | 'stolen';

export interface ProvisionedBattery {
  provisioned: true;
  serial: string;
  model: string;
  chemistry: string;
  manufacturerId: string;
  ownerId: string;
  hardLimits: HardLimits;
  parameters: TunableParameters;
  deviceKey: PublicKey;
  status: BatteryStatus;
  lease: Lease | null;
  openTransfer: OpenTransfer | null;
  /** Keys not revoked, in issue order. Whether a key's window has started or ended is checked at use. */
  keys: ActiveKey[];
  /** Every key id ever revoked on this battery: a revoked key never comes back. */
  revokedKeyIds: string[];
  /** Advances by one with every event that changes what the device must enforce. */
  bundleVersion: number;
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
      openTransfer: null,
      keys: [],
      revokedKeyIds: [],
      bundleVersion: 1,
    };
  }
  if (!state.provisioned) return state;
  const next = applyToProvisioned(state, event);
  return ACCESS_CHANGING_EVENTS.has(event.type) ? { ...next, bundleVersion: next.bundleVersion + 1 } : next;
}

function applyToProvisioned(state: ProvisionedBattery, event: BatteryEvent): ProvisionedBattery {
  switch (event.type) {
    case 'BatteryProvisioned':
      return state;
    case 'OwnershipTransferRequested':
      return { ...state, openTransfer: { ...event.data, requestedAt: event.meta.occurredAt } };
    case 'OwnershipTransferAccepted':
      return state;
    case 'OwnershipTransferCancelled':
      return { ...state, openTransfer: null };
    case 'OwnershipTransferred':
      return { ...state, ownerId: event.data.toOwnerId, openTransfer: null };
    case 'LeaseAssigned':
      return { ...state, lease: { leaseId: event.data.leaseId, operatorId: event.data.operatorId, since: event.meta.occurredAt } };
    case 'LeaseEnded':
      return { ...state, lease: null };
    case 'KeyIssued':
      return { ...state, keys: [...state.keys, { ...event.data, issuedAt: event.meta.occurredAt }] };
    case 'KeyRevoked':
      return {
        ...state,
        keys: state.keys.filter((key) => key.keyId !== event.data.keyId),
        revokedKeyIds: [...state.revokedKeyIds, event.data.keyId],
      };
    case 'BatteryReportedStolen':
      return { ...state, status: 'stolen' };
  }
}
