import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { ruleViolated } from '../domain/domain-error';
import { bigEndian, canonicalBase64url, sameBytes } from './bytes';

/**
 * Whether a public key is one a real private key could have: a canonically encoded point of the
 * prime-order subgroup. Anything else is refused wherever a key enters the service, and again
 * when a device proof is checked against a key recorded before this check existed.
 *
 * Why it matters: a signature check `[S]B = R + [k]A` says nothing when A has small order — with
 * A of order 4 (e.g. `x` = 32 zero bytes, what a failed chip may report), R = identity and S = 0
 * verify for one message in four, with no private key at all. A key with a small-order component
 * (a "mixed-order" point) is never produced by key generation, and it lets one signature verify
 * under several keys; a non-canonical encoding lets one key have several thumbprints.
 */
export type PublicKeyWeakness =
  | 'unsupported-key-type'
  | 'non-canonical-encoding'
  | 'not-on-curve'
  | 'coordinate-out-of-range'
  | 'point-at-infinity'
  | 'small-order'
  | 'not-in-prime-order-subgroup';

const EXPLANATION: Record<PublicKeyWeakness, string> = {
  'unsupported-key-type': 'is not a P-256 or Ed25519 public key',
  'non-canonical-encoding': 'is not the canonical encoding of its point',
  'not-on-curve': 'is not a point on the curve',
  'coordinate-out-of-range': 'has a coordinate not below the field prime',
  'point-at-infinity': 'is the point at infinity',
  'small-order': 'is a small-order point, for which signatures can be forged without a private key',
  'not-in-prime-order-subgroup':
    'has a small-order component (not in the prime-order subgroup), which no real key has',
};

const COORDINATE_BYTES = 32;

/** What is wrong with the key, or undefined for a key a real private key could have. Never throws. */
export function publicKeyWeakness(
  jwk: Readonly<Record<string, unknown>>,
): PublicKeyWeakness | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return ed25519Weakness(jwk.x);
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return p256Weakness(jwk.x, jwk.y);
  return 'unsupported-key-type';
}

/** A one-line reason a person can act on, e.g. for `weakness` = `small-order`. */
export function explainWeakness(weakness: PublicKeyWeakness): string {
  return EXPLANATION[weakness];
}

/**
 * Refuses a weak key as a domain rule (422 `weak-public-key` at the edge), naming the field and
 * the reason; the JWK's shape is assumed checked already.
 */
export function assertStrongPublicKey(jwk: Readonly<Record<string, unknown>>, field: string): void {
  const weakness = publicKeyWeakness(jwk);
  if (weakness === undefined) return;
  throw ruleViolated(
    'weak-public-key',
    `${field} ${explainWeakness(weakness)}; use the public key of a real key pair`,
    { field, weakness },
  );
}

function ed25519Weakness(x: unknown): PublicKeyWeakness | undefined {
  const bytes = canonicalBase64url(x, COORDINATE_BYTES);
  if (!bytes) return 'non-canonical-encoding';
  let point: InstanceType<typeof ed25519.Point>;
  try {
    // Strict RFC 8032 decoding (not ZIP-215): y < p, and no sign bit on x = 0.
    point = ed25519.Point.fromBytes(bytes, false);
  } catch {
    return ed25519NonCanonical(bytes) ? 'non-canonical-encoding' : 'not-on-curve';
  }
  if (!sameBytes(point.toBytes(), bytes)) return 'non-canonical-encoding';
  if (point.isSmallOrder()) return 'small-order';
  if (!point.isTorsionFree()) return 'not-in-prime-order-subgroup';
  return undefined;
}

/** Whether the bytes decode only leniently (ZIP-215): y ≥ p or a sign bit on x = 0. */
function ed25519NonCanonical(bytes: Uint8Array): boolean {
  try {
    ed25519.Point.fromBytes(bytes, true);
    return true;
  } catch {
    return false;
  }
}

function p256Weakness(xText: unknown, yText: unknown): PublicKeyWeakness | undefined {
  const xBytes = canonicalBase64url(xText, COORDINATE_BYTES);
  const yBytes = canonicalBase64url(yText, COORDINATE_BYTES);
  if (!xBytes || !yBytes) return 'non-canonical-encoding';
  const x = bigEndian(xBytes);
  const y = bigEndian(yBytes);
  const Fp = p256.Point.Fp;
  if (x >= Fp.ORDER || y >= Fp.ORDER) return 'coordinate-out-of-range';
  // (0, 0) is how affine coordinates spell the identity; it is not on the curve either.
  if (x === 0n && y === 0n) return 'point-at-infinity';
  try {
    const point = p256.Point.fromAffine({ x, y });
    point.assertValidity();
    if (point.is0()) return 'point-at-infinity';
    // P-256 has cofactor 1: every curve point other than infinity has prime order. Checked anyway.
    if (!point.isTorsionFree()) return 'not-in-prime-order-subgroup';
  } catch {
    return 'not-on-curve';
  }
  return undefined;
}
