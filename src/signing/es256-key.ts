import type { JWK } from 'jose';

/**
 * A P-256 signing key, wherever its private half lives (a key file, an HSM). Compact JWS is built
 * by hand on top of it (see compact-jws.ts), so an HSM only ever sees the bytes it must sign.
 */
export interface Es256Key {
  /** RFC 7638 thumbprint of the public key: the `kid` of everything it signs. */
  readonly kid: string;
  /** The public key: `kty`, `crv`, `x`, `y` only. */
  readonly publicJwk: JWK;
  /** ECDSA P-256 over SHA-256 of `signingInput`; the raw 64-byte r||s that JWS ES256 carries. */
  signEs256(signingInput: Uint8Array): Promise<Uint8Array>;
}

/** The members of a P-256 public JWK that define the key (what RFC 7638 thumbprints). */
export function essentialEcJwk(jwk: JWK): JWK {
  if (
    jwk.kty !== 'EC' ||
    jwk.crv !== 'P-256' ||
    typeof jwk.x !== 'string' ||
    typeof jwk.y !== 'string'
  ) {
    throw new Error('Not a P-256 public key (kty EC, crv P-256, x, y)');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}
