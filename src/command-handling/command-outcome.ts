import type { JsonObject, RecordedEvent } from '../event-store/event-store.port';

/**
 * What every command answers: the events it recorded and where. Built only from stored events,
 * so a replayed answer to a retried Idempotency-Key is the same answer.
 */
export interface CommandOutcome {
  streamId: string;
  /** Revision of the stream after the command: send it back as If-Match for the next change. */
  revision: number;
  /** Global position of the last event: send it as X-Min-Position to read your own write anywhere. */
  position: string;
  events: { id: string; type: string; revision: number; data: JsonObject }[];
  /** True when the answer repeats the first attempt of an Idempotency-Key. */
  replayed: boolean;
}

export function outcomeOf(
  streamId: string,
  events: readonly RecordedEvent[],
  replayed: boolean,
): CommandOutcome {
  const last = events[events.length - 1];
  return {
    streamId,
    revision: last.revision,
    position: last.position.toString(),
    events: events.map((e) => ({ id: e.id, type: e.type, revision: e.revision, data: e.data })),
    replayed,
  };
}

/** A decision that changed nothing: no events, and where the stream already was (-1: no stream). */
export function unchangedOutcome(
  streamId: string,
  last: RecordedEvent | undefined,
): CommandOutcome {
  return {
    streamId,
    revision: last?.revision ?? -1,
    position: (last?.position ?? 0n).toString(),
    events: [],
    replayed: false,
  };
}
