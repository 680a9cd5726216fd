import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { BATTERY_READ_MODEL, type BatteryReadModel } from '../batteries/queries/battery-read-model';
import { BUNDLE_SIGNER, type BundleSigner } from '../signing/bundle-signer.port';
import { SigningModule } from '../signing/signing.module';
import { BUNDLE_SERVICE, BundleService } from './application/bundle.service';
import { BundleController } from './http/bundle.controller';
import { JwksController } from './http/jwks.controller';
import { PublishedTrust } from './http/published-trust';
import { BUNDLE_TRUST, type BundleTrust } from '../signing/trust/bundle-trust';
import { SignedBundleCache } from './application/signed-bundle-cache';
import {
  BUNDLE_SIGNING_OBSERVER,
  type BundleSigningObserver,
} from './application/bundle-signing-observer';
import {
  LEAF_INDEX_LOOKUP,
  type LeafIndexLookup,
} from '../shared/infrastructure/leaf-index-lookup';

const BUNDLE_CACHE_ENTRIES = 200_000;

@Module({
  imports: [SigningModule],
  controllers: [BundleController, JwksController],
  providers: [
    {
      provide: PublishedTrust,
      inject: [BUNDLE_TRUST],
      useFactory: (trust: BundleTrust) => new PublishedTrust(trust),
    },
    {
      provide: BUNDLE_SERVICE,
      inject: [
        BATTERY_READ_MODEL,
        BUNDLE_SIGNER,
        APP_CONFIG,
        { token: BUNDLE_SIGNING_OBSERVER, optional: true },
        { token: LEAF_INDEX_LOOKUP, optional: true },
      ],
      useFactory: (
        batteries: BatteryReadModel,
        signer: BundleSigner,
        config: AppConfig,
        observer: BundleSigningObserver | undefined,
        leaves: LeafIndexLookup | undefined,
      ) =>
        new BundleService(batteries, signer, new SignedBundleCache(BUNDLE_CACHE_ENTRIES), {
          issuer: config.BUNDLE_ISSUER,
          ttlSeconds: config.BUNDLE_TTL_SECONDS,
          observer,
          leaves,
        }),
    },
  ],
  exports: [BUNDLE_SERVICE, SigningModule],
})
export class BundlesModule {}
