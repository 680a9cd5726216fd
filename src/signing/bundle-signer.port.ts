import type { JWK, JWTPayload } from 'jose';

/**
 * Signs key bundles. The local adapter keeps a key file under the data directory; the PKCS#11
 * adapter keeps the private key inside an HSM. Either way the rest of the service sees only this.
 */
export interface BundleSigner {
  /** `kid` of the signing key (its RFC 7638 thumbprint), as published in the JWKS and the delegation. */
  readonly keyId: string;
  /** The only algorithm bundles are signed with; devices pin it. */
  readonly algorithm: 'ES256';
  /** The signing key's public half. */
  publicJwks(): JWK[];
  /** A compact JWS of the payload, with `alg`, `kid` and `typ` in the protected header. */
  sign(payload: JWTPayload, typ: string): Promise<string>;
  /** Releases what the adapter holds (an HSM session); the signer is unusable afterwards. */
  close(): Promise<void>;
}

export const BUNDLE_SIGNER = Symbol('BundleSigner');
