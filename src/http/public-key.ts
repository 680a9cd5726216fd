import { calculateJwkThumbprint } from 'jose';
import { z } from 'zod';
import type { PublicKey } from '../shared/domain/public-key';
import { assertStrongPublicKey } from '../shared/crypto/public-key-strength';

const base64url = (length: number) =>
  z
    .string()
    .length(length)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

/** P-256 or Ed25519 public keys only; private key material (`d`) is refused by strictness. */
export const publicJwkSchema = z.discriminatedUnion('kty', [
  z.strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: base64url(43),
    y: base64url(43),
    kid: z.string().max(128).optional(),
  }),
  z.strictObject({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: base64url(43),
    kid: z.string().max(128).optional(),
  }),
]);
export type PublicJwk = z.infer<typeof publicJwkSchema>;

/**
 * Checks that the JWK is a key a real private key could have (canonical, on the curve, in the
 * prime-order subgroup; else 422 `weak-public-key` naming `field`) and fingerprints it (RFC 7638).
 * Only the members that define the key are kept.
 */
export async function toPublicKey(jwk: PublicJwk, field: string): Promise<PublicKey> {
  const essential: Record<string, string> =
    jwk.kty === 'EC'
      ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }
      : { kty: 'OKP', crv: jwk.crv, x: jwk.x };
  // The members are base64url or fixed names, so '.' cannot occur in them: one key, one string.
  const material = jwk.kty === 'EC' ? `EC.${jwk.x}.${jwk.y}` : `OKP.${jwk.x}`;
  let thumbprint = STRONG_KEYS.get(material);
  if (thumbprint === undefined) {
    // The subgroup check costs a scalar multiplication (~1.5 ms) and the thumbprint a digest on
    // the thread pool; one person's key is issued for many batteries, and a key seen strong stays so.
    thumbprint = await calculateJwkThumbprint(essential);
    assertStrongPublicKey(essential, field);
    if (STRONG_KEYS.size >= STRONG_KEY_CACHE_ENTRIES) STRONG_KEYS.clear();
    STRONG_KEYS.set(material, thumbprint);
  }
  return { jwk: essential, thumbprint };
}

/** Keys already found strong (every member that defines the key) → their RFC 7638 thumbprint. */
const STRONG_KEYS = new Map<string, string>();
const STRONG_KEY_CACHE_ENTRIES = 50_000;
