/** A public key as JWK; validated and fingerprinted (RFC 7638 thumbprint) at the edge. */
export interface PublicKey {
  jwk: Record<string, string>;
  thumbprint: string;
}
