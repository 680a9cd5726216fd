import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import { hasOversight } from '../../shared/domain/roles';
import { BATTERY_READ_MODEL, type BatteryReadModel, type BatteryRow, type Page } from './battery-read-model';

export type BatteryListFilter = { ownerId: string } | { operatorId: string } | Record<string, never>;

export class ListBatteriesQuery extends Query<Page<BatteryRow>> {
  constructor(readonly filter: BatteryListFilter, readonly cursor: string | undefined, readonly limit: number, readonly actor: Actor) {
    super();
  }
}

/** A party lists its own batteries (as owner or operator); the platform lists any. */
@QueryHandler(ListBatteriesQuery)
export class ListBatteriesHandler implements IQueryHandler<ListBatteriesQuery> {
  constructor(@Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel) {}

  async execute({ filter, cursor, limit, actor }: ListBatteriesQuery): Promise<Page<BatteryRow>> {
    const platform = hasOversight(actor);
    const party = 'ownerId' in filter ? filter.ownerId : 'operatorId' in filter ? filter.operatorId : undefined;
    if (!platform && party !== actor.partyId) {
      throw forbidden('not-your-party', `You may list batteries of your own party (${actor.partyId}) only`);
    }
    return this.batteries.list(filter, cursor, limit);
  }
}
