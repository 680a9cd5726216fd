import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BundleSigner } from './bundle-signer.port';

export const LOCAL_SIGNING_KEY_FILE = 'bundle-signing.private.jwk';

/**
 * The embedded default: an ES256 key generated on first start and kept (mode 0600) under the
 * data directory, so bundles keep verifying across restarts. Production uses an HSM instead.
 */
export class LocalKeySigner implements BundleSigner {
  readonly algorithm = 'ES256' as const;

  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  get keyId(): string {
    return this.publicJwk.kid as string;
  }

  static async loadOrCreate(dataDir: string): Promise<LocalKeySigner> {
    const file = join(dataDir, LOCAL_SIGNING_KEY_FILE);
    let jwk: JWK;
    if (existsSync(file)) {
      jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    } else {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      jwk = await exportJWK(privateKey);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
    }
    const { d: _private, ...publicJwk } = jwk;
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateKey = (await importJWK(jwk, 'ES256')) as CryptoKey;
    return new LocalKeySigner(privateKey, { ...publicJwk, kid, alg: 'ES256', use: 'sig' });
  }

  publicJwks(): JWK[] {
    return [this.publicJwk];
  }

  sign(payload: JWTPayload, typ: string): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: this.algorithm, kid: this.keyId, typ }).sign(this.privateKey);
  }
}
