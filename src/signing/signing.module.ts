import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { BUNDLE_SIGNER, type BundleSigner } from './bundle-signer.port';
import { HISTORY_INTEGRITY, HistoryIntegrity } from './history-integrity';
import { IntegrityGatedSigner } from './integrity-gated-signer';
import { openBundleSigner } from './open-bundle-signer';
import { BUNDLE_TRUST } from './trust/bundle-trust';
import { loadBundleTrust } from './trust/load-bundle-trust';

/**
 * The bundle signer (local key or HSM) and the chain of trust devices verify it through. Every
 * bundle signature first asks the history-integrity gate, which the audit log's tamper check sets.
 */
@Module({
  providers: [
    { provide: HISTORY_INTEGRITY, useFactory: () => new HistoryIntegrity() },
    {
      provide: BUNDLE_SIGNER,
      inject: [APP_CONFIG, HISTORY_INTEGRITY],
      useFactory: async (config: AppConfig, integrity: HistoryIntegrity) =>
        new IntegrityGatedSigner(await openBundleSigner(config), integrity),
    },
    {
      provide: BUNDLE_TRUST,
      inject: [APP_CONFIG, BUNDLE_SIGNER],
      useFactory: async (config: AppConfig, signer: BundleSigner) => {
        const { trust, warnings } = await loadBundleTrust(
          config,
          signer,
          Math.floor(Date.now() / 1000),
        );
        const logger = new Logger('Signing');
        for (const warning of warnings) logger.warn(warning);
        return trust;
      },
    },
  ],
  exports: [BUNDLE_SIGNER, BUNDLE_TRUST, HISTORY_INTEGRITY],
})
export class SigningModule implements OnApplicationShutdown {
  constructor(@Inject(BUNDLE_SIGNER) private readonly signer: BundleSigner) {}

  async onApplicationShutdown(): Promise<void> {
    await this.signer.close();
  }
}
