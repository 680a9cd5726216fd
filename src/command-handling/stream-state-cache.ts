import type { EventStore, NewEvent, RecordedEvent } from '../event-store/event-store.port';
import type { Decider } from '../shared/domain/decider';
import type { DomainEvent } from '../shared/domain/domain-event';
import {
  storedMetadata,
  toDomainEvent,
  type StoredMetadata,
} from '../shared/infrastructure/event-mapping';
import { loadStreamState, type StreamState } from './stream-state';

/** A stream's folded state, and where in it events appended under an Idempotency-Key stand. */
export interface CachedStream<S> extends StreamState<S> {
  /** Event id → revision, for events that carry an Idempotency-Key (retries derive these ids). */
  idempotentEvents: Map<string, number>;
}

/**
 * Streams' states folded up to a revision, most recently used kept. A command on a stream seen
 * lately reads only the events after that revision, so a battery with a long history decides as
 * fast as a new one. Never trusted beyond the store: every load reads the stream's tail, so an
 * append by another instance is folded in before deciding, and the append's expected revision
 * still guards the race.
 */
export class StreamStateCache {
  private readonly entries = new Map<string, CachedStream<unknown>>();

  constructor(private readonly maxEntries: number) {}

  async load<S, E extends DomainEvent>(
    store: EventStore,
    streamId: string,
    decider: Pick<Decider<unknown, S, E>, 'initialState' | 'evolve'>,
  ): Promise<CachedStream<S>> {
    const cached = this.entries.get(streamId) as CachedStream<S> | undefined;
    const loaded = await loadStreamState(store, streamId, decider, cached);
    // Only ever added to (event ids and revisions never change), so loads of one stream share it
    // rather than copy a long stream's index on every command.
    const idempotentEvents = cached?.idempotentEvents ?? new Map<string, number>();
    for (const event of loaded.events) {
      if (storedMetadata(event).idempotency) idempotentEvents.set(event.id, event.revision);
    }
    const entry: CachedStream<S> = {
      state: loaded.state,
      revision: loaded.revision,
      idempotentEvents,
    };
    const current = this.entries.get(streamId);
    // Concurrent loads of one stream: keep whichever folded further.
    if (!current || current.revision <= entry.revision) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
      while (this.entries.size > this.maxEntries) {
        this.entries.delete(this.entries.keys().next().value as string);
      }
    }
    return entry;
  }

  /**
   * This process appended `events` on top of revision `from`, ending the stream at `to`: the state
   * cached at `from` is folded on to `to`, so the next command on the stream reads nothing new (the
   * store still answers whether anything came after `to`). The events are folded as the store gives
   * them back, through JSON, so the state equals a fold of the stored rows; those appended under an
   * Idempotency-Key join the index of idempotent events, so a retry of them is still recognised.
   * A cache that has moved on, or lost the stream, is left alone: the next load reads what it needs.
   */
  advance<S, E extends DomainEvent>(
    streamId: string,
    decider: Pick<Decider<unknown, S, E>, 'evolve'>,
    from: number,
    events: readonly NewEvent[],
    to: number,
  ): void {
    const cached = this.entries.get(streamId) as CachedStream<S> | undefined;
    if (!cached || cached.revision !== from || to !== from + events.length) return;
    let state = cached.state;
    for (const [index, event] of events.entries()) {
      if ((event.metadata as Partial<StoredMetadata>).idempotency)
        cached.idempotentEvents.set(event.id, from + 1 + index);
      const stored = JSON.parse(
        JSON.stringify({ data: event.data, metadata: event.metadata }),
      ) as Pick<RecordedEvent, 'data' | 'metadata'>;
      state = decider.evolve(
        state,
        toDomainEvent<E>({ ...stored, type: event.type } as RecordedEvent),
      );
    }
    this.entries.delete(streamId);
    this.entries.set(streamId, { state, revision: to, idempotentEvents: cached.idempotentEvents });
  }
}
