import type { JWK, JWTPayload } from 'jose';
import type { BundleSigner } from './bundle-signer.port';
import { signCompactJws } from './compact-jws';
import type { Es256Key } from './es256-key';

/** A bundle signer over any P-256 key: the adapters differ only in where the private key lives. */
export class Es256BundleSigner implements BundleSigner {
  readonly algorithm = 'ES256' as const;

  constructor(
    private readonly key: Es256Key,
    private readonly release: () => Promise<void> = async () => undefined,
  ) {}

  get keyId(): string {
    return this.key.kid;
  }

  publicJwks(): JWK[] {
    return [{ ...this.key.publicJwk, kid: this.key.kid, alg: 'ES256', use: 'sig' }];
  }

  sign(payload: JWTPayload, typ: string): Promise<string> {
    return signCompactJws(this.key, { typ }, payload);
  }

  close(): Promise<void> {
    return this.release();
  }
}
