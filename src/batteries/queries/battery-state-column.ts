import { DeflatedTextColumn } from '../../shared/infrastructure/compact-columns';
import type { ProvisionedBattery } from '../domain/battery-state';

/**
 * The state document a battery's row keeps: its state without the keys and the revocation lists,
 * which are rows of their own.
 */
export type StoredBatteryState = Omit<
  ProvisionedBattery,
  'keys' | 'revokedKeyIds' | 'revokedThumbprints'
>;

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
  return STATE_COLUMN.column(
    JSON.stringify({
      ...state,
      keys: undefined,
      revokedKeyIds: undefined,
      revokedThumbprints: undefined,
    }),
  );
}

export function batteryStateOfColumn(stored: Uint8Array | string): StoredBatteryState {
  return JSON.parse(STATE_COLUMN.textOf(stored)) as StoredBatteryState;
}
