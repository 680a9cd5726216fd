import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { BATTERY_READ_MODEL, type BatteryReadModel } from '../batteries/queries/battery-read-model';
import { BUNDLE_SIGNER, type BundleSigner } from '../signing/bundle-signer.port';
import { LocalKeySigner } from '../signing/local-key-signer';
import { BUNDLE_SERVICE, BundleService } from './bundle.service';
import { BundleController } from './http/bundle.controller';
import { JwksController } from './http/jwks.controller';
import { SignedBundleCache } from './signed-bundle-cache';

const BUNDLE_CACHE_ENTRIES = 200_000;

@Module({
  controllers: [BundleController, JwksController],
  providers: [
    { provide: BUNDLE_SIGNER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => LocalKeySigner.loadOrCreate(config.DATA_DIR) },
    {
      provide: BUNDLE_SERVICE,
      inject: [BATTERY_READ_MODEL, BUNDLE_SIGNER, APP_CONFIG],
      useFactory: (batteries: BatteryReadModel, signer: BundleSigner, config: AppConfig) =>
        new BundleService(batteries, signer, new SignedBundleCache(BUNDLE_CACHE_ENTRIES), { issuer: config.BUNDLE_ISSUER, ttlSeconds: config.BUNDLE_TTL_SECONDS }),
    },
  ],
})
export class BundlesModule {}
