/**
 * The event-store port, shaped after EventStoreDB's semantics so that the embedded adapter and
 * the EventStoreDB adapter are interchangeable: streams with revisions starting at 0, one global
 * order (positions), expected-revision checks on append, and deduplication by event id.
 */

/** A JSON-serialisable value, as stored in event data and metadata. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What the writer expects of the stream before the append.
 * - `any`: no check.
 * - `no_stream`: the stream must not exist yet.
 * - `stream_exists`: the stream must have at least one event.
 * - a number: the revision of the stream's last event must be exactly this.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface NewEvent {
  /** A UUID. Appending the same ids again is a no-op that answers the first append's result. */
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export interface RecordedEvent {
  id: string;
  streamId: string;
  type: string;
  /** 0-based position of the event inside its stream. */
  revision: number;
  /** Position in the store's global order; strictly increasing, not necessarily dense. */
  position: bigint;
  data: JsonObject;
  metadata: JsonObject;
  /** When the store recorded it (the domain's own time is in the metadata). */
  recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextExpectedRevision: number;
  /** Global position of the last appended event. */
  position: bigint;
}

export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omit to start at the beginning. */
  after?: bigint;
  maxCount?: number;
  /** Only events of streams whose id starts with one of these prefixes. */
  streamPrefixes?: readonly string[];
}

/** What waits after a position: how many events (counted up to a bound) and when the first was recorded. */
export interface Backlog {
  events: number;
  oldestAt: Date | undefined;
}

export interface SubscribeOptions {
  /** Exclusive: deliver events strictly after this position. Omit to start at the beginning. */
  after?: bigint;
  streamPrefixes?: readonly string[];
}

/**
 * A catch-up subscription: first every stored event after the start point, then live events,
 * strictly in global order. Consume it with `for await`; `close()` ends the iteration.
 */
export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
  /**
   * The same events in the same order, in the runs the store read them in (none empty), for a
   * consumer that takes many at once: catching up, one promise per run instead of per event. A
   * subscription iterates either way, not both; a store that reads one event at a time leaves it out.
   */
  chunks?(): AsyncIterable<readonly RecordedEvent[]>;
}

export interface EventStore {
  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult>;
  /** Events of one stream in revision order; an empty array for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The events readAll would answer for the same options, counted (up to `maxCount`) rather than
   * read: a readiness probe asks it on every call, catching up included, and needs no event body.
   */
  backlogAfter(options: ReadAllOptions & { maxCount: number }): Promise<Backlog>;
  /** Position of the newest event in the store, or undefined when it is empty. */
  headPosition(): Promise<bigint | undefined>;
  subscribeToAll(options?: SubscribeOptions): EventSubscription;
  dispose(): Promise<void>;
}

/** DI token for the port; the module picks the adapter from configuration. */
export const EVENT_STORE = Symbol('EventStore');
