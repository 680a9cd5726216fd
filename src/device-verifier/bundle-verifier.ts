import { decryptBundle } from './decrypt';
import type { DeviceProfile } from './device-profile';
import type { DeviceState } from './device-state';
import { readBundleClaims } from './bundle-claims';
import { parametersOutsideHardLimits } from './hard-limits';
import { parseCompactJws, parseJsonObject, verifyEs256 } from './jws';
import {
  BUNDLE_FORMAT,
  BUNDLE_TYP,
  DEFAULT_CLOCK_SKEW_SECONDS,
  ENVELOPE_FORMAT,
  SIGNATURE_ALG,
  THUMBPRINT_URN_PREFIX,
} from './protocol';
import { BundleRefused, refuse, type RefusalReason } from './refusal';
import { verifyDelegation, walkRootChain } from './trust-chain';
import type { BundleClaims } from './types';

export type Verdict =
  | { accepted: true; claims: BundleClaims; state: DeviceState }
  | { accepted: false; reason: RefusalReason; detail: string };

/**
 * The device algorithm of docs/key-bundle.md, step by step. Pure apart from the crypto: the
 * caller passes the state and `now` (epoch seconds) and, on acceptance, stores the new state
 * atomically before enforcing the bundle. Nothing from a bundle is believed before its
 * signature verified under a key the pinned root vouches for.
 */
export async function verifyBundle(
  envelope: unknown,
  profile: DeviceProfile,
  state: DeviceState,
  now: number,
): Promise<Verdict> {
  try {
    const { claims, next } = await check(envelope, profile, state, now);
    return { accepted: true, claims, state: next };
  } catch (error) {
    if (error instanceof BundleRefused)
      return { accepted: false, reason: error.reason, detail: error.detail };
    throw error;
  }
}

async function check(
  envelope: unknown,
  profile: DeviceProfile,
  state: DeviceState,
  now: number,
): Promise<{ claims: BundleClaims; next: DeviceState }> {
  const skew = profile.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (
    typeof envelope !== 'object' ||
    envelope === null ||
    typeof (envelope as { bundle?: unknown }).bundle !== 'string'
  ) {
    return refuse('malformed', 'the envelope is { fmt, bundle, delegation, rootChain }');
  }
  const { fmt, bundle, delegation, rootChain } = envelope as {
    fmt?: unknown;
    bundle: string;
    delegation?: unknown;
    rootChain?: unknown;
  };
  if (fmt !== ENVELOPE_FORMAT)
    return refuse('unknown-format', `envelope format ${String(fmt)} is not ${ENVELOPE_FORMAT}`);

  // 1. Unwrap: an encrypted bundle is a JWE of five parts around the JWS.
  const parts = bundle.split('.').length;
  if (parts !== 3 && parts !== 5)
    return refuse('malformed', 'the bundle is neither a compact JWS nor a compact JWE');
  if (parts === 3 && profile.requireEncryption)
    return refuse('encryption-required', 'this device accepts encrypted bundles only');
  const jwsText = parts === 5 ? await decryptBundle(bundle, profile.identityPrivateKey) : bundle;

  // 2. Trust: walk from the root this device trusts to today's root, then its delegation.
  const root = await walkRootChain(state.root, rootChain ?? [], profile.issuer);
  const delegated = await verifyDelegation(
    delegation,
    root,
    profile.issuer,
    state.delegationVersion,
  );

  // 3. The bundle's header, then its signature under a delegated key in its window.
  const jws = parseCompactJws(jwsText);
  if (!jws) return refuse('malformed', 'the bundle is not a compact JWS');
  const alg = jws.header.alg;
  if (typeof alg === 'string' && alg.toLowerCase() === 'none')
    return refuse('unsecured-jws', 'alg none: an unsigned bundle');
  if (typeof alg === 'string' && /^HS\d+$/.test(alg))
    return refuse('symmetric-alg-refused', `${alg}: a MAC is not a signature (key confusion)`);
  if (alg !== SIGNATURE_ALG)
    return refuse('alg-not-allowed', `${String(alg)} is not ${SIGNATURE_ALG}`);
  if (jws.header.typ !== BUNDLE_TYP)
    return refuse('wrong-typ', `typ ${String(jws.header.typ)} is not ${BUNDLE_TYP}`);
  if (jws.header.crit !== undefined)
    return refuse('malformed', 'no critical header extension is defined for bundles');
  const key = delegated.keys.find((candidate) => candidate.kid === jws.header.kid);
  if (!key) return refuse('unknown-kid', `no delegated key has kid ${String(jws.header.kid)}`);
  if (now + skew < key.nbf)
    return refuse('signing-key-not-yet-valid', `key ${key.kid} signs from ${key.nbf}`);
  if (now >= key.exp)
    return refuse('signing-key-retired', `key ${key.kid} signed until ${key.exp}`);
  if (!(await verifyEs256(jws, key.jwk)))
    return refuse('bad-signature', `the signature does not verify with key ${key.kid}`);

  // 4. The claims: format first (a later format may differ in everything else), then binding and time.
  const raw = parseJsonObject(jws.payload);
  if (!raw) return refuse('malformed', 'the bundle payload is not a JSON object');
  if (raw.fmt !== BUNDLE_FORMAT)
    return refuse('unknown-format', `bundle format ${String(raw.fmt)} is not ${BUNDLE_FORMAT}`);
  const claims = readBundleClaims(raw);
  if (claims.iss !== profile.issuer) return refuse('wrong-issuer', `issued by ${claims.iss}`);
  if (claims.sub !== profile.serial)
    return refuse('wrong-serial', `the bundle is for battery ${claims.sub}`);
  if (claims.aud !== `${THUMBPRINT_URN_PREFIX}${profile.identityThumbprint}`)
    return refuse('wrong-device-key', "the bundle is for another device key than this battery's");
  if (now >= claims.exp) return refuse('expired', `expired at ${claims.exp}`);
  if (claims.iat > now + skew)
    return refuse('issued-in-future', `iat ${claims.iat} is ahead of the device clock ${now}`);

  // 5. Monotonic: newer access state, or the same state signed later.
  const applied = state.applied;
  if (applied) {
    if (claims.ver === applied.ver && claims.iat === applied.iat)
      return refuse('replayed', `bundle ${claims.ver} (iat ${claims.iat}) is already applied`);
    if (claims.ver < applied.ver || (claims.ver === applied.ver && claims.iat < applied.iat)) {
      return refuse(
        'rollback',
        `bundle ${claims.ver} (iat ${claims.iat}) is older than the applied ${applied.ver} (iat ${applied.iat})`,
      );
    }
  }

  // 6. Parameters within the device's own hard limits.
  const outside = parametersOutsideHardLimits(claims.params, profile.hardLimits);
  if (outside.length > 0) return refuse('params-outside-hard-limits', outside.join('; '));

  return {
    claims,
    next: {
      root,
      delegationVersion: delegated.ver,
      applied: { ver: claims.ver, iat: claims.iat, exp: claims.exp },
      bundle: claims,
    },
  };
}
