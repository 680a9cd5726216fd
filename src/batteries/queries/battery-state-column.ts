import { DeflatedTextColumn } from '../../shared/infrastructure/compact-columns';
import type { ProvisionedBattery } from '../domain/battery-state';

/**
 * The state document a battery's row keeps, read back: its state without the keys and the
 * revocation lists, which are rows of their own.
 */
export type StoredBatteryState = Omit<
  ProvisionedBattery,
  'keys' | 'revokedKeyIds' | 'revokedThumbprints'
>;

/**
 * What the document leaves to other places: the keys and revocations (rows of their own), and the
 * bundle version and since when (columns of the row, which every change of access moves). Issuing
 * or revoking a key changes none of the rest, so such an event leaves the document as it was.
 */
const KEPT_ELSEWHERE = {
  keys: undefined,
  revokedKeyIds: undefined,
  revokedThumbprints: undefined,
  bundleVersion: undefined,
  bundleVersionSince: undefined,
};

/** The row's columns the document's bundle version comes back from. */
export interface BundleVersionColumns {
  bundle_version: number;
  bundle_version_since: string;
}

/**
 * What a state document says besides its values: the field names of a provisioned battery in the
 * order `evolve` writes them (last, nearest the document), then those of leases, contracts,
 * transfers and proposals. Values only where the domain fixes them (a new battery's empty lists,
 * `active`, an Ed25519 device key); no fleet's models, parties or limits. Part of the stored form:
 * the batteries schema takes a new version when it changes.
 */
const STATE_VOCABULARY =
  '"approvals":[{"slot":0,"approver":{"personId":"","partyId":"","role":""},"relationship":"owner"}],' +
  '"required":[{"anyOf":[{"relationship":"owner","role":""},{"relationship":"operator","role":""}]}],' +
  '"proposedBy":{"personId":"","partyId":"","role":""},"proposedAt":"","expiresAt":"","policyVersion":' +
  ',"actions":[],"parameters":null,"kind":"","proposalId":"","transferId":"","fromOwnerId":"",' +
  '"toOwnerId":"","requestedAt":"","contractId":"","specialistId":"","leaseId":"","operatorId":"",' +
  '"since":"","status":"stolen",' +
  '{"provisioned":true,"serial":"","model":"","chemistry":"","manufacturerId":"","ownerId":"",' +
  '"hardLimits":{"cellVoltageMinV":,"cellVoltageMaxV":,"chargeCurrentMaxA":,"dischargeCurrentMaxA":,' +
  '"temperatureMinC":,"temperatureMaxC":},"parameters":{"socMinPercent":,"socMaxPercent":,' +
  '"chargeCellVoltageMaxV":,"chargeCurrentLimitA":,"dischargeCurrentLimitA":},' +
  '"deviceKey":{"jwk":{"kty":"OKP","crv":"Ed25519","x":""},"thumbprint":""},"status":"active",' +
  '"lease":null,"specialist":null,"openTransfer":null,"proposals":[],"proposalIds":[],' +
  '"bundleVersion":,"bundleVersionSince":"T00:00:00.000Z"}';

const STATE_COLUMN = new DeflatedTextColumn(STATE_VOCABULARY);

/** The state document as the row keeps it: its JSON deflated against the vocabulary (a third of the bytes). */
export function batteryStateColumn(
  state: ProvisionedBattery | StoredBatteryState,
): Buffer | string {
  return STATE_COLUMN.column(JSON.stringify({ ...state, ...KEPT_ELSEWHERE }));
}

export function batteryStateOfColumn(
  stored: Uint8Array | string,
  columns: BundleVersionColumns,
): StoredBatteryState {
  return {
    ...(JSON.parse(STATE_COLUMN.textOf(stored)) as Omit<
      StoredBatteryState,
      'bundleVersion' | 'bundleVersionSince'
    >),
    bundleVersion: columns.bundle_version,
    bundleVersionSince: columns.bundle_version_since,
  };
}

/**
 * True when two states would store the same document: every field the document keeps is the same
 * value or the same object. `evolve` copies only what an event changes, so an event that changes
 * only keys, revocations or the bundle version leaves every other field as it was; a field that
 * was copied with equal contents counts as changed, which only costs a write.
 */
export function sameStateDocument(before: ProvisionedBattery, after: ProvisionedBattery): boolean {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const field of fields) {
    if (field in KEPT_ELSEWHERE) continue;
    if (before[field as keyof ProvisionedBattery] !== after[field as keyof ProvisionedBattery])
      return false;
  }
  return true;
}
