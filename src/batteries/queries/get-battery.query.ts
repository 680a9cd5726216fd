import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../../shared/domain/actor';
import { BATTERY_READ_MODEL, type BatteryReadModel, type BatteryRow } from './battery-read-model';

export class GetBatteryQuery extends Query<BatteryRow> {
  constructor(
    readonly serial: string,
    readonly actor: Actor,
  ) {
    super();
  }
}

/** A battery the actor may see (related parties, the platform's oversight); 404 otherwise, whether or not it exists. */
@QueryHandler(GetBatteryQuery)
export class GetBatteryHandler implements IQueryHandler<GetBatteryQuery> {
  constructor(@Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel) {}

  async execute({ serial, actor }: GetBatteryQuery): Promise<BatteryRow> {
    return this.batteries.readableBy(serial, actor);
  }
}
