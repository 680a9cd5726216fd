/**
 * A device authenticates each request with a short-lived JWS signed by its identity key (the key
 * registered at provisioning, whose thumbprint is every bundle's `aud`). Shaped after DPoP (RFC
 * 9449): bound to the method, the URL, a unique id and the time. See docs/key-bundle.md.
 */
export const DEVICE_PROOF_HEADER = 'device-proof';
export const DEVICE_PROOF_TYP = 'battery-device-proof+jwt';

export interface DeviceProofClaims {
  /** Unique per proof: a proof is accepted once. */
  jti: string;
  /** HTTP method of the request. */
  htm: string;
  /** The request URL without query and fragment. */
  htu: string;
  /** When the device made the proof (NumericDate). */
  iat: number;
  /** The battery's serial. */
  sub: string;
  /** On an acknowledgement: what it acknowledges, so the device's signature covers it. */
  ack?: { ver: number; iat: number };
}

/** The refusals a device can get, each its own problem `code` (all 401 but a full replay cache). */
export const DEVICE_PROOF_REFUSALS = [
  'device-proof-missing',
  'device-proof-malformed',
  'device-proof-wrong-type',
  'device-proof-algorithm-refused',
  'device-proof-unknown-key',
  'device-proof-bad-signature',
  'device-proof-weak-key',
  'device-proof-wrong-battery',
  'device-proof-wrong-method',
  'device-proof-wrong-url',
  'device-proof-expired',
  'device-proof-not-yet-valid',
  'device-proof-replayed',
  'device-proof-ack-mismatch',
  'device-proof-cache-full',
] as const;
export type DeviceProofRefusal = (typeof DEVICE_PROOF_REFUSALS)[number];
