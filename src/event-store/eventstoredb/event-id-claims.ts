import { randomUUID } from 'node:crypto';
import { NO_STREAM, WrongExpectedVersionError, jsonEvent, type EventStoreDBClient } from '@eventstore/db-client';
import { DuplicateEventIdError } from '../event-store.errors';
import { CLAIM_STREAM_PREFIX } from './stream-filter';

/**
 * Global uniqueness of event ids, which the port promises and EventStoreDB does not.
 *
 * EventStoreDB deduplicates by id only within a stream, and only for a true retry: an id already
 * stored in stream A is appended again without complaint to stream B, and with ExpectedVersion.Any
 * a batch whose first id is new is appended even when a later id is already in the stream. The port
 * refuses both (DuplicateEventIdError, nothing appended), and the embedded store, the projections and
 * the store-to-store migration rely on ids being unique across the whole store.
 *
 * EventStoreDB has no index by event id, so the adapter keeps one in the store itself: before an
 * append, every id is claimed by appending one small event to the stream `_event-id-<id>` with
 * expected revision no_stream, naming the stream it is for. The claim is atomic on the server, so of
 * two writers racing with one id only one gets it. Each claim event gets a fresh EventStoreDB id,
 * so a second claim is never taken for a retry by the server: it always fails with a wrong expected
 * version, and we read the existing claim to see whose it is.
 *
 * - claimed now: the id is new everywhere.
 * - claimed before for the same stream: a retry, a batch mixing stored and new ids, or a claim left
 *   by an append that then failed its revision check; the caller reads the stream to tell which.
 * - claimed for another stream: DuplicateEventIdError.
 *
 * Cost: one extra small write per event (claims of one append are sent concurrently, pipelined on
 * one BatchAppend stream). A claim left by a failed append stays, so that id can afterwards only be
 * used in the stream it was first appended to — writers retry with the same stream anyway.
 */
export type ClaimOutcome = 'claimed' | 'claimed-before';

export class EventIdClaims {
  constructor(private readonly client: EventStoreDBClient) {}

  /** Claims every id for `streamId`; throws DuplicateEventIdError if one belongs to another stream. */
  async claim(streamId: string, eventIds: readonly string[]): Promise<ClaimOutcome[]> {
    const outcomes = await Promise.all(eventIds.map((id) => this.claimOne(streamId, id)));
    const foreign = outcomes.findIndex((outcome) => typeof outcome === 'object');
    if (foreign >= 0) {
      const { owner } = outcomes[foreign] as { owner: string };
      throw new DuplicateEventIdError(eventIds[foreign], `it belongs to stream ${owner}, not ${streamId}`);
    }
    return outcomes as ClaimOutcome[];
  }

  private async claimOne(streamId: string, eventId: string): Promise<ClaimOutcome | { owner: string }> {
    try {
      await this.client.appendToStream(
        claimStream(eventId),
        jsonEvent({ id: randomUUID(), type: 'EventIdClaimed', data: { streamId } }),
        { expectedRevision: NO_STREAM },
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    const owner = await this.ownerOf(eventId);
    return owner === streamId ? 'claimed-before' : { owner };
  }

  private async ownerOf(eventId: string): Promise<string> {
    // Read to the end rather than break out of the loop: the client waits, on dispose, for every
    // read it started to finish, and a read left half-consumed never does.
    let owner: unknown;
    for await (const resolved of this.client.readStream(claimStream(eventId), { maxCount: 1 })) {
      owner = (resolved.event?.data as { streamId?: unknown } | undefined)?.streamId;
    }
    if (typeof owner !== 'string') throw new Error(`The claim of event id ${eventId} is unreadable`);
    return owner;
  }
}

export function claimStream(eventId: string): string {
  return `${CLAIM_STREAM_PREFIX}${eventId}`;
}
