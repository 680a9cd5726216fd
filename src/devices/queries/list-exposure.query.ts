import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../../shared/domain/actor';
import type { Page } from '../../read-model/page';
import {
  DEVICE_SYNC_READ_MODEL,
  type DeviceSyncReadModel,
  type Exposure,
  type FleetFilter,
} from './device-sync-read-model';
import { assertMayListFleet } from '../../batteries/domain/access-policy';

export class ListExposureQuery extends Query<Page<Exposure>> {
  constructor(
    readonly filter: FleetFilter,
    /** Only this holder key (its thumbprint, the bundle's `kid`), across batteries. */
    readonly kid: string | undefined,
    readonly cursor: string | undefined,
    readonly limit: number,
    readonly actor: Actor,
    readonly now: Date,
  ) {
    super();
  }
}

@QueryHandler(ListExposureQuery)
export class ListExposureHandler implements IQueryHandler<ListExposureQuery> {
  constructor(@Inject(DEVICE_SYNC_READ_MODEL) private readonly sync: DeviceSyncReadModel) {}

  async execute({
    filter,
    kid,
    cursor,
    limit,
    actor,
    now,
  }: ListExposureQuery): Promise<Page<Exposure>> {
    assertMayListFleet(actor, filter);
    return this.sync.exposure(filter, kid, cursor, limit, now);
  }
}
