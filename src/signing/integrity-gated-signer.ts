import type { JWK, JWTPayload } from 'jose';
import type { BundleSigner } from './bundle-signer.port';
import type { HistoryIntegrity } from './history-integrity';

/**
 * The bundle signer, refusing while the history it would sign over is known to be rewritten: a
 * bundle's access state comes from the events, and a device must never be handed one derived from
 * a history an auditor would find edited.
 */
export class IntegrityGatedSigner implements BundleSigner {
  readonly algorithm = 'ES256' as const;

  constructor(
    private readonly signer: BundleSigner,
    private readonly integrity: HistoryIntegrity,
  ) {}

  get keyId(): string {
    return this.signer.keyId;
  }

  publicJwks(): JWK[] {
    return this.signer.publicJwks();
  }

  /** Async so a refusal is a rejected promise, like any other signing failure. */
  async sign(payload: JWTPayload, typ: string): Promise<string> {
    this.integrity.assertMaySign('bundle');
    return this.signer.sign(payload, typ);
  }

  close(): Promise<void> {
    return this.signer.close();
  }
}
