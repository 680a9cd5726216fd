import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../../shared/domain/actor';
import { forbidden, notFound } from '../../shared/domain/domain-error';
import { mayRead } from '../domain/access-policy';
import { BATTERY_READ_MODEL, type BatteryReadModel, type BatteryRow } from './battery-read-model';

export class GetBatteryQuery extends Query<BatteryRow> {
  constructor(readonly serial: string, readonly actor: Actor) {
    super();
  }
}

/** A battery the actor may see (owner, operator, manufacturer, platform); 404 otherwise. */
@QueryHandler(GetBatteryQuery)
export class GetBatteryHandler implements IQueryHandler<GetBatteryQuery> {
  constructor(@Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel) {}

  async execute({ serial, actor }: GetBatteryQuery): Promise<BatteryRow> {
    const battery = this.batteries.get(serial);
    if (!battery) throw notFound('battery-not-found', `No battery is provisioned under serial ${serial}`);
    if (!mayRead(actor, battery)) throw forbidden('not-related', `Party ${actor.partyId} has no relationship with battery ${serial}`);
    return battery;
  }
}
