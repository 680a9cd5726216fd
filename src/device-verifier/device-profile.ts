import type { KeyObject } from 'node:crypto';
import type { EcPublicJwk, HardLimits } from './types';

/**
 * What a device knows about itself from manufacture: write-once memory (serial, the root of
 * trust, the service's issuer), write-until-protected memory (hard limits), and its identity key,
 * whose private half on a real device never leaves the security chip.
 */
export interface DeviceProfile {
  serial: string;
  /** RFC 7638 thumbprint of the device's identity public key: every bundle's `aud` names it. */
  identityThumbprint: string;
  /** The identity private key, to decrypt encrypted bundles (P-256 identity keys only). */
  identityPrivateKey?: KeyObject;
  /** The `iss` the device accepts: `urn:battery-keys:bundle-service` unless configured otherwise. */
  issuer: string;
  /** The root key pinned at manufacture (root version 1). */
  pinnedRoot: { kid: string; jwk: EcPublicJwk };
  hardLimits: HardLimits;
  /** Refuse bundles that arrive unencrypted. */
  requireEncryption?: boolean;
  clockSkewSeconds?: number;
}
