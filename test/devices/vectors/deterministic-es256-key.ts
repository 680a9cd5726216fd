import { p256 } from '@noble/curves/nist.js';
import { base64url, calculateJwkThumbprint, type JWK } from 'jose';
import { essentialEcJwk, type Es256Key } from '../../../src/signing/es256-key';

/**
 * A P-256 key that signs with deterministic ECDSA (RFC 6979: the nonce derives from the key and
 * the message), so the same test keys and inputs always give the same signature bytes. That is
 * what lets the test-vector generator run again and produce exactly the committed JSON file, and
 * the spec prove the two agree. ES256 verifiers cannot tell a deterministic signature from a
 * random one; the service itself signs with random nonces (WebCrypto or the HSM), and this class
 * is for published test keys only.
 */
export class DeterministicEs256Key implements Es256Key {
  private constructor(
    readonly kid: string,
    readonly publicJwk: JWK,
    private readonly secretKey: Uint8Array,
  ) {}

  static async fromPrivateJwk(jwk: JWK): Promise<DeterministicEs256Key> {
    if (typeof jwk.d !== 'string') throw new Error('The test key holds no private key (d)');
    const publicJwk = essentialEcJwk(jwk);
    return new DeterministicEs256Key(
      await calculateJwkThumbprint(publicJwk),
      publicJwk,
      base64url.decode(jwk.d),
    );
  }

  signEs256(signingInput: Uint8Array): Promise<Uint8Array> {
    // prehash: SHA-256 of the signing input, as ES256 defines; 'compact' is the raw r‖s of JWS.
    // noble's default low-S form is one of the two valid encodings; either verifies.
    return Promise.resolve(
      p256.sign(signingInput, this.secretKey, { prehash: true, format: 'compact' }),
    );
  }
}
