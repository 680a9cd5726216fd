import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../../shared/domain/actor';
import { assertMayListFleet, type FleetFilter } from '../domain/access-policy';
import { BATTERY_READ_MODEL, type BatteryReadModel, type BatteryRow } from './battery-read-model';
import type { Page } from '../../read-model/page';

export type BatteryListFilter = FleetFilter;

export class ListBatteriesQuery extends Query<Page<BatteryRow>> {
  constructor(
    readonly filter: BatteryListFilter,
    readonly cursor: string | undefined,
    readonly limit: number,
    readonly actor: Actor,
  ) {
    super();
  }
}

/** A party lists its own batteries (as owner or operator); the platform lists any. */
@QueryHandler(ListBatteriesQuery)
export class ListBatteriesHandler implements IQueryHandler<ListBatteriesQuery> {
  constructor(@Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel) {}

  async execute({ filter, cursor, limit, actor }: ListBatteriesQuery): Promise<Page<BatteryRow>> {
    assertMayListFleet(actor, filter);
    return this.batteries.list(filter, cursor, limit);
  }
}
