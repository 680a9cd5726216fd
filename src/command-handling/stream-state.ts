import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import type { Decider } from '../shared/domain/decider';
import type { DomainEvent } from '../shared/domain/domain-event';
import { toDomainEvent } from '../shared/infrastructure/event-mapping';

/** A stream's state as its decider folds it, and the revision it was folded up to (-1: empty). */
export interface StreamState<S> {
  state: S;
  revision: number;
}

/**
 * The one way a stream's state is loaded: its events read from the store and folded with the
 * decider's `evolve`, optionally on top of a state already folded up to a revision (only the
 * events after it are read). Answers the events read too, for callers that look at their ids.
 */
export async function loadStreamState<S, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<unknown, S, E>, 'initialState' | 'evolve'>,
  from?: StreamState<S>,
): Promise<StreamState<S> & { events: RecordedEvent[] }> {
  const events = await store.readStream(streamId, { fromRevision: (from?.revision ?? -1) + 1 });
  const base = from?.state ?? decider.initialState();
  const state = events.reduce((s, recorded) => decider.evolve(s, toDomainEvent<E>(recorded)), base);
  return { state, revision: events.at(-1)?.revision ?? from?.revision ?? -1, events };
}
