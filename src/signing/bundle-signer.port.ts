import type { JWK, JWTPayload } from 'jose';

/**
 * Signs key bundles. The local adapter keeps a key file under the data directory; an HSM adapter
 * keeps the private key inside the HSM. Either way the rest of the service sees only this.
 */
export interface BundleSigner {
  /** `kid` of the signing key, as published in the JWKS. */
  readonly keyId: string;
  /** The only algorithm bundles are signed with; devices pin it. */
  readonly algorithm: 'ES256';
  /** Public keys devices and clients may verify bundles with. */
  publicJwks(): JWK[];
  /** A compact JWS of the payload, with `alg`, `kid` and `typ` in the protected header. */
  sign(payload: JWTPayload, typ: string): Promise<string>;
}

export const BUNDLE_SIGNER = Symbol('BundleSigner');
