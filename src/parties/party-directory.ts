import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { ruleViolated } from '../shared/domain/domain-error';
import type { PartyFacts } from '../shared/domain/party-kind';
import { toDomainEvent } from '../shared/infrastructure/event-mapping';
import { partyDecider } from './domain/party-decider';
import { partyStreamId, type PartyEvent } from './domain/party-events';

/**
 * Resolves a party named in a command to the facts a decision needs. Reads the party's own
 * stream, not the read model, so a party registered a moment ago is found on any instance.
 */
@Injectable()
export class PartyDirectory {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async facts(partyId: string, field: string): Promise<PartyFacts> {
    const events = await this.store.readStream(partyStreamId(partyId));
    const state = events
      .map((e) => toDomainEvent<PartyEvent>(e))
      .reduce(partyDecider.evolve, partyDecider.initialState());
    if (!state.registered)
      throw ruleViolated('party-not-registered', `${field}: party ${partyId} is not registered`, {
        partyId,
      });
    return { partyId: state.partyId, kind: state.kind };
  }
}
