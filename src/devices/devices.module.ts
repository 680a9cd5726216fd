import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { BundlesModule } from '../bundles/bundles.module';
import { DeviceProofVerifier } from './authentication/device-proof-verifier';
import { AcknowledgeBundleHandler } from './commands/acknowledge-bundle.command';
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
  imports: [BundlesModule],
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
    AcknowledgeBundleHandler,
    GetSyncStatusHandler,
    ListLaggingDevicesHandler,
    ListExposureHandler,
  ],
})
export class DevicesModule {}
