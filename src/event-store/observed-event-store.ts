import { performance } from 'node:perf_hooks';
import { inSpan, tracingActive } from '../tracing/spans';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
} from './event-store.errors';
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
} from './event-store.port';
import type { EventStoreObserver, EventStoreOperation } from './event-store-observer';

/** The port's errors by a stable name; anything else (a bug, a driver's surprise) is `other`. */
export function storeErrorName(error: unknown): string {
  if (error instanceof WrongExpectedRevisionError) return 'wrong-expected-revision';
  if (error instanceof DuplicateEventIdError) return 'duplicate-event-id';
  if (error instanceof EventStoreUnavailableError) return 'unavailable';
  return 'other';
}

/** A lost race is an answer the command path expects and retries, not a broken store. */
const isFailure = (error: unknown) => !(error instanceof WrongExpectedRevisionError);

/**
 * Either adapter, measured at the port: append latency, every failed call by its error, and a
 * span per call (a child of the command's span) when tracing is on. The adapters stay as they are;
 * the module wraps whichever it opened, and only when metrics or tracing are on.
 */
export class ObservedEventStore implements EventStore {
  constructor(
    private readonly store: EventStore,
    private readonly observer: EventStoreObserver | undefined,
  ) {}

  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    const attributes = {
      'event_store.stream': streamId,
      'event_store.events': events.length,
      'event_store.expected_revision': String(expectedRevision),
    };
    return inSpan('event-store append', { attributes, isFailure }, async (span) => {
      const started = performance.now();
      const result = await this.observed('append', () =>
        this.store.appendToStream(streamId, events, expectedRevision),
      );
      this.observer?.appended((performance.now() - started) / 1000);
      span?.setAttributes({
        'event_store.revision': result.nextExpectedRevision,
        'event_store.position': result.position.toString(),
      });
      return result;
    });
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    if (!tracingActive())
      return this.observed('readStream', () => this.store.readStream(streamId, options));
    const attributes = {
      'event_store.stream': streamId,
      ...(options?.fromRevision !== undefined
        ? { 'event_store.from_revision': options.fromRevision }
        : {}),
    };
    return inSpan('event-store readStream', { attributes }, async (span) => {
      const events = await this.observed('readStream', () =>
        this.store.readStream(streamId, options),
      );
      span?.setAttribute('event_store.events', events.length);
      return events;
    });
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return inSpan('event-store readAll', {}, () =>
      this.observed('readAll', () => this.store.readAll(options)),
    );
  }

  backlogAfter(options: ReadAllOptions & { maxCount: number }): Promise<Backlog> {
    return inSpan('event-store backlogAfter', {}, () =>
      this.observed('backlogAfter', () => this.store.backlogAfter(options)),
    );
  }

  headPosition(): Promise<bigint | undefined> {
    return inSpan('event-store headPosition', {}, () =>
      this.observed('headPosition', () => this.store.headPosition()),
    );
  }

  subscribeToAll(options?: SubscribeOptions): EventSubscription {
    return this.store.subscribeToAll(options);
  }

  dispose(): Promise<void> {
    return this.store.dispose();
  }

  private async observed<T>(operation: EventStoreOperation, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.observer?.failed(operation, storeErrorName(error));
      throw error;
    }
  }
}
