import {
  Global,
  Inject,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { AuditProjection } from '../audit/projections/audit.projection';
import { AUDIT_READ_MODEL, AuditReadModel } from '../audit/queries/audit-read-model';
import { BatteriesProjection } from '../batteries/projections/batteries.projection';
import { BATTERY_READ_MODEL, BatteryReadModel } from '../batteries/queries/battery-read-model';
import { IdempotencyProjection } from '../command-handling/idempotency.projection';
import { PartiesProjection } from '../parties/projections/parties.projection';
import { PARTY_READ_MODEL, PartyReadModel } from '../parties/queries/party-read-model';
import { DeviceSyncProjection } from '../devices/projections/device-sync.projection';
import {
  DEVICE_SYNC_READ_MODEL,
  DeviceSyncReadModel,
} from '../devices/queries/device-sync-read-model';
import {
  BUNDLE_CHANGES,
  BundleChanges,
  MAX_LONG_POLL_WAITERS,
} from '../devices/sync/bundle-changes';
import { ProjectionRunner } from './projection-runner';
import { openReadModelDatabase, READ_MODEL_DB } from './read-model.database';

/**
 * The instance-local read model: its database, the projections that feed it, the runner that
 * keeps it current, and the read models the contexts query.
 */
@Global()
@Module({
  providers: [
    {
      provide: READ_MODEL_DB,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        mkdirSync(config.DATA_DIR, { recursive: true });
        return openReadModelDatabase(join(config.DATA_DIR, 'read-model.db'));
      },
    },
    {
      provide: ProjectionRunner,
      inject: [EVENT_STORE, READ_MODEL_DB, BUNDLE_CHANGES],
      useFactory: (store: EventStore, db: Database.Database, bundleChanges: BundleChanges) => {
        const logger = new Logger('Projections');
        const projections = [
          new PartiesProjection(db),
          new BatteriesProjection(db),
          new AuditProjection(db),
          new IdempotencyProjection(db),
          new DeviceSyncProjection(db, bundleChanges),
        ];
        return new ProjectionRunner(store, db, projections, {
          error: (message, error) =>
            logger.error(`${message}: ${error instanceof Error ? error.message : String(error)}`),
          warn: (message) => logger.warn(message),
        });
      },
    },
    { provide: BUNDLE_CHANGES, useFactory: () => new BundleChanges(MAX_LONG_POLL_WAITERS) },
    {
      provide: DEVICE_SYNC_READ_MODEL,
      inject: [READ_MODEL_DB],
      useFactory: (db: Database.Database) => new DeviceSyncReadModel(db),
    },
    {
      provide: BATTERY_READ_MODEL,
      inject: [READ_MODEL_DB],
      useFactory: (db: Database.Database) => new BatteryReadModel(db),
    },
    {
      provide: PARTY_READ_MODEL,
      inject: [READ_MODEL_DB],
      useFactory: (db: Database.Database) => new PartyReadModel(db),
    },
    {
      provide: AUDIT_READ_MODEL,
      inject: [READ_MODEL_DB],
      useFactory: (db: Database.Database) => new AuditReadModel(db),
    },
  ],
  exports: [
    READ_MODEL_DB,
    ProjectionRunner,
    BUNDLE_CHANGES,
    DEVICE_SYNC_READ_MODEL,
    BATTERY_READ_MODEL,
    PARTY_READ_MODEL,
    AUDIT_READ_MODEL,
  ],
})
export class ReadModelModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(READ_MODEL_DB) private readonly db: Database.Database,
  ) {}

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  /** Stops the subscription before the store is disposed, then closes the database. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    this.db.close();
  }
}
