/**
 * The protocol as docs/key-bundle.md defines it. This reference device is written from that
 * document alone and imports nothing from the service: if the two disagree, one of them is wrong
 * and the tests say so.
 */
export const BUNDLE_TYP = 'battery-key-bundle+jwt';
export const DELEGATION_TYP = 'battery-signing-delegation+jwt';
export const ROOT_STATEMENT_TYP = 'battery-root+jwt';
export const DEVICE_PROOF_TYP = 'battery-device-proof+jwt';
export const DEVICE_PROOF_HEADER = 'Device-Proof';

/** The one signature algorithm of bundles, delegations and root statements. */
export const SIGNATURE_ALG = 'ES256';
export const JWE_ALG = 'ECDH-ES';
export const JWE_ENC = 'A256GCM';

export const BUNDLE_FORMAT = 1;
export const ENVELOPE_FORMAT = 1;
export const THUMBPRINT_URN_PREFIX = 'urn:ietf:params:oauth:jwk-thumbprint:sha-256:';

/** What a locked battery, or one whose bundle expired, still allows. */
export const SAFE_STATE_CAPABILITY = 'status.read';
/** How far the service's clock may run ahead of the device's for `iat` and key `nbf`. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;
/** Longer root chains are refused rather than walked: a bound on work per pull. */
export const MAX_ROOT_CHAIN = 16;
export const MAX_DELEGATED_KEYS = 16;
