import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../../shared/domain/actor';
import type { Page } from '../../read-model/page';
import {
  DEVICE_SYNC_READ_MODEL,
  type DeviceSyncReadModel,
  type FleetFilter,
  type SyncStatus,
} from './device-sync-read-model';
import { assertMayListFleet } from '../../batteries/domain/access-policy';

export class ListLaggingDevicesQuery extends Query<Page<SyncStatus>> {
  constructor(
    readonly filter: FleetFilter,
    readonly cursor: string | undefined,
    readonly limit: number,
    readonly actor: Actor,
  ) {
    super();
  }
}

@QueryHandler(ListLaggingDevicesQuery)
export class ListLaggingDevicesHandler implements IQueryHandler<ListLaggingDevicesQuery> {
  constructor(@Inject(DEVICE_SYNC_READ_MODEL) private readonly sync: DeviceSyncReadModel) {}

  async execute({
    filter,
    cursor,
    limit,
    actor,
  }: ListLaggingDevicesQuery): Promise<Page<SyncStatus>> {
    assertMayListFleet(actor, filter);
    return this.sync.lagging(filter, cursor, limit);
  }
}
