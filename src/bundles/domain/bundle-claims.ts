import {
  isPhysicalHarm,
  SAFE_STATE_CAPABILITIES,
  type Capability,
} from '../../policy/domain/capability-catalogue';
import type { ProvisionedBattery } from '../../batteries/domain/battery-state';
import type { HardLimits } from '../../batteries/domain/hard-limits';
import type { TunableParameters } from '../../batteries/domain/tunable-parameters';

/** Format version of the bundle payload; devices refuse formats they do not know. */
export const BUNDLE_FORMAT = 1;
/** JWS `typ`: explicit typing (RFC 8725) so no other token of the service passes as a bundle. */
export const BUNDLE_TYP = 'battery-key-bundle+jwt';
export const THUMBPRINT_URN_PREFIX = 'urn:ietf:params:oauth:jwk-thumbprint:sha-256:';

export interface BundleKey {
  /** RFC 7638 thumbprint of the holder's public key. */
  kid: string;
  key_id: string;
  holder: { person: string; party: string };
  jwk: Record<string, string>;
  caps: Capability[];
  nbf: number;
  exp: number;
}

/** The complete access state of one battery, as signed for its device. See docs/key-bundle.md. */
export interface BundleClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  fmt: typeof BUNDLE_FORMAT;
  ver: number;
  locked: boolean;
  owner: string;
  operator: string | null;
  keys: BundleKey[];
  params: TunableParameters;
  limits: HardLimits;
  /** Where in the audit log the access state comes from (docs/audit-log.md); absent without a log. */
  log?: BundleLogPointer;
  [claim: string]: unknown;
}

/** The leaf of the event that made this bundle version: the bundle traces to a logged event. */
export interface BundleLogPointer {
  leafIndex: number;
}

export interface BundleTerms {
  issuer: string;
  now: Date;
  ttlSeconds: number;
  log?: BundleLogPointer;
}

const seconds = (date: Date | string) => Math.floor(new Date(date).getTime() / 1000);

/**
 * What the device must enforce now. Keys whose window has closed are left out; a stolen battery's
 * keys keep only the safe-state capabilities, so the lock holds even on a device that ignores the
 * `locked` flag. Capabilities of physical harm are never signed.
 */
export function bundleClaims(battery: ProvisionedBattery, terms: BundleTerms): BundleClaims {
  const now = seconds(terms.now);
  const locked = battery.status === 'stolen';
  const keys: BundleKey[] = [];
  for (const key of battery.keys) {
    const exp = seconds(key.notAfter);
    if (exp <= now) continue;
    // A capability beyond the hard limits is never signed, even if a past decision let one into the
    // state: the last line of "layer 4: nobody, ever".
    const allowed = key.capabilities.filter((c) => !isPhysicalHarm(c));
    const caps = locked ? allowed.filter((c) => SAFE_STATE_CAPABILITIES.includes(c)) : allowed;
    if (caps.length === 0) continue;
    keys.push({
      kid: key.publicKey.thumbprint,
      key_id: key.keyId,
      holder: { person: key.holder.personId, party: key.holder.partyId },
      jwk: key.publicKey.jwk,
      caps,
      nbf: seconds(key.notBefore),
      exp,
    });
  }
  return {
    iss: terms.issuer,
    sub: battery.serial,
    aud: `${THUMBPRINT_URN_PREFIX}${battery.deviceKey.thumbprint}`,
    iat: now,
    exp: now + terms.ttlSeconds,
    fmt: BUNDLE_FORMAT,
    ver: battery.bundleVersion,
    locked,
    owner: battery.ownerId,
    operator: battery.lease?.operatorId ?? null,
    keys,
    params: battery.parameters,
    limits: battery.hardLimits,
    ...(terms.log ? { log: terms.log } : {}),
  };
}
