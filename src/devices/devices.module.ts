import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { BundlesModule } from '../bundles/bundles.module';
import { ReadModelModule } from '../read-model/read-model.module';
import { DEVICE_STREAM_PREFIX } from './domain/device-events';
import { DeviceSyncProjection } from './projections/device-sync.projection';
import { DEVICE_SYNC_SCHEMA } from './projections/device-sync.schema';
import { DEVICE_SYNC_READ_MODEL, DeviceSyncReadModel } from './queries/device-sync-read-model';
import { BUNDLE_CHANGES, BundleChanges, MAX_LONG_POLL_WAITERS } from './sync/bundle-changes';
import { DeviceProofVerifier } from './authentication/device-proof-verifier';
import { DEVICE_PROOF_VERIFIER, DeviceProofGuard } from './http/device-proof.guard';
import { DeviceSyncController } from './http/device-sync.controller';
import { SyncStatusController } from './http/sync-status.controller';
import { GetSyncStatusHandler } from './queries/get-sync-status.query';
import { ListExposureHandler } from './queries/list-exposure.query';
import { ListLaggingDevicesHandler } from './queries/list-lagging-devices.query';

/**
 * The devices context: batteries authenticate with their identity key, pull and acknowledge
 * bundles; people see which devices lag and which still honour revoked keys.
 */
@Module({
  imports: [
    BundlesModule,
    ReadModelModule.forFeature('device-sync', {
      schema: DEVICE_SYNC_SCHEMA,
      streams: [DEVICE_STREAM_PREFIX],
      providers: [
        { provide: BUNDLE_CHANGES, useFactory: () => new BundleChanges(MAX_LONG_POLL_WAITERS) },
      ],
      inject: [BUNDLE_CHANGES],
      projections: (db, changes: BundleChanges) => [new DeviceSyncProjection(db, changes)],
      queries: [
        { provide: DEVICE_SYNC_READ_MODEL, useFactory: (db) => new DeviceSyncReadModel(db) },
      ],
    }),
  ],
  controllers: [DeviceSyncController, SyncStatusController],
  providers: [
    {
      provide: DEVICE_PROOF_VERIFIER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new DeviceProofVerifier({
          maxAgeSeconds: config.DEVICE_PROOF_MAX_AGE_SECONDS,
          replayCacheEntries: config.DEVICE_REPLAY_CACHE_ENTRIES,
        }),
    },
    DeviceProofGuard,
    GetSyncStatusHandler,
    ListLaggingDevicesHandler,
    ListExposureHandler,
  ],
  // The verifier's replay-cache fill is read by the metrics.
  exports: [DEVICE_PROOF_VERIFIER],
})
export class DevicesModule {}
