import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { ruleViolated } from '../../shared/domain/domain-error';
import type { PartyFacts } from '../../shared/domain/party-kind';
import { loadStreamState } from '../../command-handling/stream-state';
import { partyDecider } from '../domain/party-decider';
import { partyStreamId } from '../domain/party-events';

/**
 * Resolves a party named in a command to the facts a decision needs. Reads the party's own
 * stream, not the read model, so a party registered a moment ago is found on any instance.
 */
@Injectable()
export class PartyDirectory {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async facts(partyId: string, field: string): Promise<PartyFacts> {
    const { state } = await loadStreamState(this.store, partyStreamId(partyId), partyDecider);
    if (!state.registered)
      throw ruleViolated('party-not-registered', `${field}: party ${partyId} is not registered`, {
        partyId,
      });
    return { partyId: state.partyId, kind: state.kind };
  }
}
