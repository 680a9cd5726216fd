import { calculateJwkThumbprint, type JWK } from 'jose';
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { Handle } from 'pkcs11js';
import type { Es256Key } from '../es256-key';
import type { Pkcs11Token } from './pkcs11-token';

/**
 * A P-256 key inside an HSM. Tokens such as SoftHSM2 offer raw CKM_ECDSA but not
 * CKM_ECDSA_SHA256, so the SHA-256 digest is computed here and only the digest goes to the HSM;
 * the private key never leaves it.
 */
export class Pkcs11Es256Key implements Es256Key {
  private constructor(
    private readonly token: Pkcs11Token,
    private readonly privateKey: Handle,
    readonly publicJwk: JWK,
    readonly kid: string,
  ) {}

  /** The key pair labelled `label`, checked once by signing and verifying a probe. */
  static async open(token: Pkcs11Token, label: string): Promise<Pkcs11Es256Key> {
    const { privateKey, publicJwk } = await token.findKeyPair(label);
    const key = new Pkcs11Es256Key(
      token,
      privateKey,
      publicJwk,
      await calculateJwkThumbprint(publicJwk),
    );
    await key.selfTest();
    return key;
  }

  async signEs256(signingInput: Uint8Array): Promise<Uint8Array> {
    const digest = createHash('sha256').update(signingInput).digest();
    return new Uint8Array(await this.token.signDigest(this.privateKey, digest));
  }

  /** Catches a private and a public object under one label that do not belong together. */
  private async selfTest(): Promise<void> {
    const probe = Buffer.from(`battery-keys pkcs11 self-test ${Date.now()}`);
    const signature = await this.signEs256(probe);
    const publicKey = createPublicKey({
      key: this.publicJwk as import('node:crypto').JsonWebKey,
      format: 'jwk',
    });
    if (!verify('sha256', probe, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)) {
      throw new Error(
        `The HSM's private and public keys labelled for ${this.kid} do not form a pair`,
      );
    }
  }
}
