import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import type { EventStore, JsonObject, RecordedEvent } from '../event-store/event-store.port';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
} from '../event-store/event-store.errors';
import type { Actor } from '../shared/domain/actor';
import type { Decider } from '../shared/domain/decider';
import type { DomainEvent } from '../shared/domain/domain-event';
import { DomainError } from '../shared/domain/domain-error';
import {
  storedMetadata,
  toNewEvent,
  type IdempotencyRecord,
} from '../shared/infrastructure/event-mapping';
import type { ProjectionRunner } from '../read-model/projection-runner';
import type { IdempotencyRecords } from './idempotency/idempotency-records';
import { ConcurrencyConflictError, IdempotencyKeyReusedError } from './command-errors';
import { StreamStateCache } from './stream-state-cache';
import { outcomeOf, unchangedOutcome, type CommandOutcome } from './command-outcome';

/** Namespace for event ids derived from Idempotency-Keys (UUID v5). */
const IDEMPOTENT_EVENT_ID_NAMESPACE = '1b671a64-40d5-491e-99b0-da01ff1f3341';
/** Streams whose folded state the executor keeps (a bounded LRU; see StreamStateCache). */
const STREAM_STATE_CACHE_ENTRIES = 2_000;
/** Retries after a lost race when the client did not pin a revision: deciding again is safe. */
const MAX_ATTEMPTS = 5;

export interface ExecuteOptions {
  actor: Actor;
  idempotency?: IdempotencyRecord;
  /** From If-Match: the client decided on this revision and wants nothing else. */
  expectedRevision?: number;
}

/**
 * load → decide → append, for any decider. Appends carry the expected revision read at load;
 * event ids derive from the Idempotency-Key so that even two instances racing on the same retry
 * append once (the store deduplicates by id).
 */
export class CommandExecutor {
  constructor(
    private readonly store: EventStore,
    private readonly idempotency: IdempotencyRecords,
    private readonly projections: ProjectionRunner,
    private readonly readYourWritesTimeoutMs: number,
    private readonly streams = new StreamStateCache(STREAM_STATE_CACHE_ENTRIES),
  ) {}

  async execute<C, S, E extends DomainEvent>(
    streamId: string,
    decider: Decider<C, S, E>,
    command: C,
    options: ExecuteOptions,
  ): Promise<CommandOutcome> {
    const replay = await this.replayIfRetried(options);
    if (replay) return replay;

    for (let attempt = 1; ; attempt++) {
      const { state, revision, idempotentEvents } = await this.streams.load(
        this.store,
        streamId,
        decider,
      );
      // The read model can lag the store (rebuilding after a restart, another instance's write,
      // EventStoreDB's asynchronous subscription): a retry whose first attempt this stream already
      // holds is known by its derived event id and answered with what that attempt recorded.
      const retried = await this.retriedIn(streamId, idempotentEvents, options);
      if (retried) return retried;
      const current = revision >= 0 ? revision : undefined;
      if (options.expectedRevision !== undefined && options.expectedRevision !== current) {
        // The current revision is news only for a caller the decider would answer at all: whoever
        // it tells "not found" hears that, not a 409 that reveals the stream exists and how long it is.
        hiddenFrom(() => decider.decide(command, state));
        throw new ConcurrencyConflictError(streamId, options.expectedRevision, current);
      }
      const decided = decider.decide(command, state);
      // A decision that changes nothing records nothing: answer with where the stream already is.
      if (decided.length === 0) {
        const [last] =
          current === undefined
            ? []
            : await this.store.readStream(streamId, { fromRevision: current, maxCount: 1 });
        return unchangedOutcome(streamId, last);
      }
      const newEvents = decided.map((event, index) =>
        toNewEvent(event, this.eventId(streamId, options, index), options.idempotency),
      );
      try {
        const result = await this.store.appendToStream(streamId, newEvents, current ?? 'no_stream');
        const advance = () =>
          this.streams.advance(streamId, decider, revision, newEvents, result.nextExpectedRevision);
        // Without an Idempotency-Key the ids are new, so the store appended these very events (an
        // idempotent append may have been answered as a retry of events decided elsewhere).
        if (!options.idempotency) advance();
        await this.projections.waitFor(result.position, this.readYourWritesTimeoutMs);
        const firstRevision = result.nextExpectedRevision - newEvents.length + 1;
        // Two attempts of one Idempotency-Key racing (two instances, a client retrying early) derive
        // the same ids, so the store kept the first and answered the second as a retry: the answer
        // must be what was stored, not what this attempt decided.
        if (options.idempotency) {
          const stored = await this.store.readStream(streamId, {
            fromRevision: firstRevision,
            maxCount: newEvents.length,
          });
          if (stored.length > 0 && !sameAttempt(stored[0], newEvents[0]))
            return this.answerFromStored(streamId, stored, options.idempotency);
          // The stored events are this attempt's own: the cached state moves on past them.
          if (stored.length > 0) advance();
        }
        const recorded: RecordedEvent[] = newEvents.map((e, index) => ({
          ...e,
          streamId,
          revision: firstRevision + index,
          // Only the last position is known from the append; earlier ones are not exposed.
          position: result.position,
          recordedAt: new Date(),
        }));
        return outcomeOf(streamId, recorded, false);
      } catch (error) {
        if (error instanceof DuplicateEventIdError) {
          const replayed = await this.replayAfterRace(options);
          if (replayed) return replayed;
          // The read model did not catch up in time, but the stream holds the first attempt: the
          // next round finds it by its derived ids. A 409 if even that fails, never a 500.
          if (attempt < MAX_ATTEMPTS) continue;
          throw new ConcurrencyConflictError(streamId, options.expectedRevision, undefined);
        }
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (options.expectedRevision !== undefined || attempt >= MAX_ATTEMPTS) {
          throw new ConcurrencyConflictError(streamId, options.expectedRevision, error.actual);
        }
      }
    }
  }

  /**
   * A retry derives the same ids, so the store appends it once. The stream is part of the name: a
   * key reused on another stream gives other ids, and stores only need to deduplicate per stream.
   */
  private eventId(streamId: string, options: ExecuteOptions, index: number): string {
    if (!options.idempotency) return uuidv4();
    const { partyId, personId } = options.actor;
    return uuidv5(
      `${partyId}\n${personId}\n${options.idempotency.key}\n${streamId}\n${index}`,
      IDEMPOTENT_EVENT_ID_NAMESPACE,
    );
  }

  private answerFromStored(
    streamId: string,
    stored: readonly RecordedEvent[],
    idempotency: IdempotencyRecord,
  ): CommandOutcome {
    if (storedMetadata(stored[0]).idempotency?.fingerprint !== idempotency.fingerprint)
      throw new IdempotencyKeyReusedError(idempotency.key);
    return outcomeOf(streamId, stored, true);
  }

  /** The events this Idempotency-Key's first attempt appended, if the stream holds them. */
  private async retriedIn(
    streamId: string,
    idempotentEvents: ReadonlyMap<string, number>,
    options: ExecuteOptions,
  ): Promise<CommandOutcome | undefined> {
    if (!options.idempotency) return undefined;
    const firstRevision = idempotentEvents.get(this.eventId(streamId, options, 0));
    if (firstRevision === undefined) return undefined;
    const history = await this.store.readStream(streamId, { fromRevision: firstRevision });
    const start = 0;
    let end = start + 1;
    while (end < history.length && history[end].id === this.eventId(streamId, options, end - start))
      end++;
    return this.answerFromStored(streamId, history.slice(start, end), options.idempotency);
  }

  private async replayIfRetried(options: ExecuteOptions): Promise<CommandOutcome | undefined> {
    if (!options.idempotency) return undefined;
    const first = this.idempotency.firstAttempt(options.actor, options.idempotency.key);
    if (!first) return undefined;
    if (first.fingerprint !== options.idempotency.fingerprint)
      throw new IdempotencyKeyReusedError(options.idempotency.key);
    const events = await this.store.readStream(first.streamId, {
      fromRevision: first.firstRevision,
      maxCount: first.lastRevision - first.firstRevision + 1,
    });
    return outcomeOf(first.streamId, events, true);
  }

  /** Another request with the same key won the append: answer with what it recorded. */
  private async replayAfterRace(options: ExecuteOptions): Promise<CommandOutcome | undefined> {
    const head = await this.store.headPosition();
    if (head !== undefined) await this.projections.waitFor(head, this.readYourWritesTimeoutMs);
    return this.replayIfRetried(options);
  }
}

export const COMMAND_EXECUTOR = Symbol('CommandExecutor');

/** Rethrows a decision's not-found; any other outcome is for the caller to hear as a conflict. */
function hiddenFrom(decide: () => unknown): void {
  try {
    decide();
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'not-found') throw error;
  }
}

/** Whether a stored event is the one this attempt sent (not an earlier attempt's with the same id). */
function sameAttempt(stored: RecordedEvent, sent: { metadata: JsonObject }): boolean {
  return (
    stored.metadata.requestId === sent.metadata.requestId &&
    stored.metadata.occurredAt === sent.metadata.occurredAt
  );
}
