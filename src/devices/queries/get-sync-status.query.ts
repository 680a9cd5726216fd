import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../../shared/domain/actor';
import { batteryNotFound } from '../../batteries/domain/access-policy';
import {
  BATTERY_READ_MODEL,
  type BatteryReadModel,
} from '../../batteries/queries/battery-read-model';
import {
  DEVICE_SYNC_READ_MODEL,
  type DeviceSyncReadModel,
  type Exposure,
  type SyncStatus,
} from './device-sync-read-model';

export type BatterySyncStatus = SyncStatus & { exposures: Exposure[] };

export class GetSyncStatusQuery extends Query<BatterySyncStatus> {
  constructor(
    readonly serial: string,
    readonly actor: Actor,
    readonly now: Date,
  ) {
    super();
  }
}

/** One battery's sync state and its exposures, for whoever may read the battery. */
@QueryHandler(GetSyncStatusQuery)
export class GetSyncStatusHandler implements IQueryHandler<GetSyncStatusQuery> {
  constructor(
    @Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel,
    @Inject(DEVICE_SYNC_READ_MODEL) private readonly sync: DeviceSyncReadModel,
  ) {}

  async execute({ serial, actor, now }: GetSyncStatusQuery): Promise<BatterySyncStatus> {
    this.batteries.readableBy(serial, actor);
    const status = this.sync.status(serial);
    if (!status) throw batteryNotFound(serial);
    return { ...status, exposures: this.sync.exposureOf(serial, now) };
  }
}
