import type { ExpectedRevision } from './event-store.port';

/** The stream was not at the revision the writer expected; nothing was appended. */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or undefined when the stream does not exist. */
    readonly actual: number | undefined,
  ) {
    super(
      `Stream ${streamId} expected ${String(expected)} but is at ${actual === undefined ? 'no stream' : actual}`,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * An event id that is already stored was appended again in a way that is not a plain retry of the
 * same append (another stream, another order, or mixed with new ids). Nothing was appended.
 */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly eventId: string,
    detail: string,
  ) {
    super(`Event id ${eventId} is already stored: ${detail}`);
    this.name = 'DuplicateEventIdError';
  }
}

/** The store cannot be reached or refused to work; the caller may retry later. */
export class EventStoreUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'EventStoreUnavailableError';
  }
}
