import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { essentialEcJwk, type Es256Key } from './es256-key';

const ECDSA_P256_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A P-256 key whose private half is a JWK file (mode 0600): the embedded default and offline root keys. */
export class LocalEs256Key implements Es256Key {
  private constructor(
    readonly kid: string,
    readonly publicJwk: JWK,
    private readonly privateKey: webcrypto.CryptoKey,
  ) {}

  static async fromPrivateJwk(jwk: JWK): Promise<LocalEs256Key> {
    if (typeof jwk.d !== 'string') throw new Error('The key file holds no private key (d)');
    const publicJwk = essentialEcJwk(jwk);
    const privateKey = await webcrypto.subtle.importKey(
      'jwk',
      { ...publicJwk, d: jwk.d } as webcrypto.JsonWebKey,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    return new LocalEs256Key(await calculateJwkThumbprint(publicJwk), publicJwk, privateKey);
  }

  static async readFile(file: string): Promise<LocalEs256Key> {
    return LocalEs256Key.fromPrivateJwk(JSON.parse(readFileSync(file, 'utf8')) as JWK);
  }

  /** A new key, written to `file` (which must not exist yet) before it is used. */
  static async createFile(file: string): Promise<LocalEs256Key> {
    const jwk = await generatePrivateJwk();
    mkdirSync(dirname(file), { recursive: true });
    // 'wx': never overwrite a key; losing a private key that devices trust cannot be undone.
    writeFileSync(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    return LocalEs256Key.fromPrivateJwk(jwk);
  }

  static async readOrCreateFile(file: string): Promise<LocalEs256Key> {
    if (existsSync(file)) return LocalEs256Key.readFile(file);
    try {
      return await LocalEs256Key.createFile(file);
    } catch (error) {
      // Another process created it meanwhile: use theirs.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return LocalEs256Key.readFile(file);
      throw error;
    }
  }

  async signEs256(signingInput: Uint8Array): Promise<Uint8Array> {
    // WebCrypto's ECDSA output is already IEEE P1363 (r||s), the JWS format.
    return new Uint8Array(
      await webcrypto.subtle.sign(ECDSA_P256_SHA256, this.privateKey, signingInput),
    );
  }
}

export async function generatePrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const { kty, crv, x, y, d } = await exportJWK(privateKey);
  return { kty, crv, x, y, d };
}
