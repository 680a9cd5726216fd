import type { DomainEvent } from '../../shared/domain/domain-event';
import type { Capability } from './capability-catalogue';
import type { HardLimits } from './hard-limits';
import type { TunableParameters } from './tunable-parameters';

/** A public key as JWK; validated and fingerprinted (RFC 7638 thumbprint) at the edge. */
export interface PublicKey {
  jwk: Record<string, string>;
  thumbprint: string;
}

export interface KeyHolder {
  personId: string;
  partyId: string;
}

/**
 * Under whose authority a key was issued. A key lives only as long as that authority: the owner's
 * keys end with its ownership, an operator's with its lease.
 */
export type KeyAuthority = { relationship: 'owner'; partyId: string } | { relationship: 'operator'; partyId: string; leaseId: string };

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
export type OwnershipTransferRequested = DomainEvent<'OwnershipTransferRequested', { transferId: string; fromOwnerId: string; toOwnerId: string }>;
export type OwnershipTransferAccepted = DomainEvent<'OwnershipTransferAccepted', { transferId: string; toOwnerId: string }>;
export type OwnershipTransferCancelled = DomainEvent<'OwnershipTransferCancelled', { transferId: string; cancelledByPartyId: string }>;
export type OwnershipTransferred = DomainEvent<'OwnershipTransferred', { transferId: string; fromOwnerId: string; toOwnerId: string }>;
export type LeaseAssigned = DomainEvent<'LeaseAssigned', { leaseId: string; operatorId: string }>;
export type LeaseEnded = DomainEvent<'LeaseEnded', { leaseId: string; operatorId: string; cause: 'ended-by-owner' | 'ownership-transferred' }>;
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
  }
>;
export type KeyRevoked = DomainEvent<
  'KeyRevoked',
  { keyId: string; thumbprint: string; cause: 'revoked' | 'ownership-transferred' | 'lease-ended'; reason: string }
>;
export type BatteryReportedStolen = DomainEvent<'BatteryReportedStolen', { reportedByPartyId: string }>;

export type BatteryEvent =
  | BatteryProvisioned
  | OwnershipTransferRequested
  | OwnershipTransferAccepted
  | OwnershipTransferCancelled
  | OwnershipTransferred
  | LeaseAssigned
  | LeaseEnded
  | KeyIssued
  | KeyRevoked
  | BatteryReportedStolen;

export type BatteryEventType = BatteryEvent['type'];

/**
 * Events that change what a device must enforce. Only these advance the bundle version, so audit
 * events (a transfer request, later a device's acknowledgement) never make a fleet re-download.
 */
export const ACCESS_CHANGING_EVENTS: ReadonlySet<BatteryEventType> = new Set<BatteryEventType>([
  'BatteryProvisioned',
  'OwnershipTransferred',
  'LeaseAssigned',
  'LeaseEnded',
  'KeyIssued',
  'KeyRevoked',
  'BatteryReportedStolen',
]);

export const BATTERY_STREAM_PREFIX = 'battery-';
export const batteryStreamId = (serial: string) => `${BATTERY_STREAM_PREFIX}${serial}`;
