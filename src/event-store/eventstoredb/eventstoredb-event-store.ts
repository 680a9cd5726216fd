import {
  EventStoreDBClient,
  FORWARDS,
  START,
  END,
  BACKWARDS,
  StreamNotFoundError,
  jsonEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type {
  AppendResult,
  Backlog,
  EventStore,
  EventSubscription,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../event-store.port';
import { DuplicateEventIdError } from '../event-store.errors';
import { toPortError } from './error.mapping';
import { toClientExpectedRevision } from './expected-revision.mapping';
import { readAllFiltered } from './filtered-all-read';
import { toClientPosition } from './position.mapping';
import { toRecordedEvent } from './recorded-event.mapping';
import { selectStreams } from './stream-filter';
import { EventStoreDbSubscription, type ResubscribeOptions } from './eventstoredb-subscription';

export interface EventStoreDbEventStoreOptions {
  /** Page size of $all reads (one Read request per page). */
  readPageSize?: number;
  /** How subscriptions come back after the server went away (default 100 ms doubling up to 5 s). */
  resubscribe?: ResubscribeOptions;
}

/**
 * The port on EventStoreDB (gRPC client v6, server 22.6 or later).
 *
 * What EventStoreDB gives directly: streams, revisions, expected-revision checks, the global order
 * of $all (the port's position is the commit position, see position.mapping.ts) and catch-up
 * subscriptions. What the adapter adds to keep the port's contract:
 * - retries answered like the first append even when EventStoreDB answers one without a position
 *   (`answerEarlierAppend` below). Ids are deduplicated per stream, as EventStoreDB does: the service
 *   derives retried ids from the stream too, so it never needs store-wide uniqueness, which would
 *   cost an extra write per event;
 * - $all reads with a server-side stream filter (filtered-all-read.ts);
 * - system streams hidden from $all reads and subscriptions (stream-filter.ts);
 * - subscriptions that resubscribe after the server went away (eventstoredb-subscription.ts).
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new Set<EventSubscription>();
  private readonly readPageSize: number;
  private readonly resubscribe: ResubscribeOptions;

  static fromConnectionString(
    connectionString: string,
    options: EventStoreDbEventStoreOptions = {},
  ): EventStoreDbEventStore {
    return new EventStoreDbEventStore(
      EventStoreDBClient.connectionString(connectionString),
      options,
    );
  }

  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.readPageSize = options.readPageSize ?? 1000;
    this.resubscribe = options.resubscribe ?? {};
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('An append needs at least one event');
    const repeated = events.find(
      (event, index) => events.findIndex((other) => other.id === event.id) !== index,
    );
    if (repeated) throw new DuplicateEventIdError(repeated.id, 'it appears twice in one append');
    const expected = toClientExpectedRevision(expectedRevision);
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((event) =>
          jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata }),
        ),
        { expectedRevision: expected },
      );
      if (result.position)
        return {
          nextExpectedRevision: Number(result.nextExpectedRevision),
          position: result.position.commit,
        };
      // EventStoreDB took it for a retry of a concurrent append of the same events and answered
      // without a position (servers before 22.10 always do for a retry): answer from the stream.
      const stored = await this.answerEarlierAppend(streamId, events);
      if (!stored)
        throw new Error(
          `EventStoreDB acknowledged an append to ${streamId} that is not in the stream`,
        );
      return stored;
    } catch (error) {
      throw toPortError(error, { streamId, expected: expectedRevision });
    }
  }

  /**
   * EventStoreDB took an append for a retry: a plain retry (all ids stored, in this order,
   * consecutively) is answered like the first append; anything else is refused.
   */
  private async answerEarlierAppend(
    streamId: string,
    events: readonly NewEvent[],
  ): Promise<AppendResult | undefined> {
    const ids = new Set(events.map((event) => event.id));
    const stored = (await this.readStream(streamId)).filter((event) => ids.has(event.id));
    if (stored.length === 0) return undefined;
    const isRetry =
      stored.length === events.length &&
      stored.every(
        (event, i) => event.id === events[i].id && event.revision === stored[0].revision + i,
      );
    if (!isRetry)
      throw new DuplicateEventIdError(
        stored[0].id,
        `not a retry of the append that stored it in ${streamId}`,
      );
    const last = stored[stored.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const resolvedEvents: ResolvedEvent[] = [];
    try {
      // Consumed to the end before mapping: a read left half-consumed would hold up dispose().
      const read = this.client.readStream(streamId, {
        fromRevision: BigInt(options.fromRevision ?? 0),
        maxCount,
        direction: FORWARDS,
      });
      for await (const resolved of read) resolvedEvents.push(resolved);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toPortError(error);
    }
    return resolvedEvents.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    const selection = selectStreams(options.streamPrefixes);
    const events: RecordedEvent[] = [];
    // The server reads forwards from a position inclusively; the port's `after` is exclusive, so
    // each page asks for one more and drops the event at the cursor.
    let cursor = options.after;
    try {
      while (events.length < limit) {
        const count = Math.min(this.readPageSize, limit - events.length) + 1;
        const page = await readAllFiltered(this.client, {
          from: cursor === undefined ? START : toClientPosition(cursor),
          count,
          filter: selection.filter,
        });
        for (const resolved of page) {
          const event = toRecordedEvent(resolved);
          if (cursor !== undefined && event.position <= cursor) continue;
          cursor = event.position;
          if (selection.accepts(event.streamId) && events.length < limit) events.push(event);
        }
        if (page.length < count) break;
      }
    } catch (error) {
      throw toPortError(error);
    }
    return events;
  }

  /** No cheaper read of $all than the events themselves: counted from them. */
  async backlogAfter(options: ReadAllOptions & { maxCount: number }): Promise<Backlog> {
    const events = await this.readAll(options);
    return { events: events.length, oldestAt: events[0]?.recordedAt };
  }

  /** The newest port event: $all read backwards, one event, system streams filtered out. */
  async headPosition(): Promise<bigint | undefined> {
    try {
      const [newest] = await readAllFiltered(this.client, {
        from: END,
        direction: BACKWARDS,
        count: 1,
        filter: selectStreams(undefined).filter,
      });
      return newest ? toRecordedEvent(newest).position : undefined;
    } catch (error) {
      throw toPortError(error);
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): EventSubscription {
    const subscription: EventSubscription = new EventStoreDbSubscription(
      this.client,
      selectStreams(options.streamPrefixes),
      options.after,
      () => this.subscriptions.delete(subscription),
      this.resubscribe,
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }
}
