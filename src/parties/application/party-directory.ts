import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { ruleViolated } from '../../shared/domain/domain-error';
import type { PartyFacts } from '../../shared/domain/party-kind';
import { loadStreamState } from '../../command-handling/stream-state';
import { partyDecider } from '../domain/party-decider';
import { partyStreamId, type PartyEvent } from '../domain/party-events';

/** Registered parties whose facts are kept; past it the longest unused are read again when named. */
const KNOWN_PARTIES = 10_000;

/**
 * Keeping a registered party's facts is sound only while a registration is the one thing that
 * can happen to a party: an event type added to PartyEvent makes this false, and the directory
 * reads the stream every time again (and this line asks to be looked at).
 */
const REGISTRATION_IS_FINAL: PartyEvent['type'] extends 'PartyRegistered' ? true : false = true;

/**
 * Resolves a party named in a command to the facts a decision needs. Reads the party's own
 * stream, not the read model, so a party registered a moment ago is found on any instance.
 * A registration is final (the party decider records one PartyRegistered per party and no event
 * changes or ends it), so the facts of a registered party are read once and kept; a party not
 * (yet) registered is read again every time it is named.
 */
@Injectable()
export class PartyDirectory {
  private readonly registered = new Map<string, PartyFacts>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async facts(partyId: string, field: string): Promise<PartyFacts> {
    const known = this.registered.get(partyId);
    if (known) {
      this.registered.delete(partyId);
      this.registered.set(partyId, known);
      return known;
    }
    const { state } = await loadStreamState(this.store, partyStreamId(partyId), partyDecider);
    if (!state.registered)
      throw ruleViolated('party-not-registered', `${field}: party ${partyId} is not registered`, {
        partyId,
      });
    const facts: PartyFacts = Object.freeze({ partyId: state.partyId, kind: state.kind });
    if (REGISTRATION_IS_FINAL) {
      this.registered.set(partyId, facts);
      if (this.registered.size > KNOWN_PARTIES)
        this.registered.delete(this.registered.keys().next().value as string);
    }
    return facts;
  }
}
