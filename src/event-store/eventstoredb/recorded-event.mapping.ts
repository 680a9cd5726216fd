import type { ResolvedEvent } from '@eventstore/db-client';
import type { JsonObject, RecordedEvent } from '../event-store.port';
import { fromClientPosition } from './position.mapping';

/**
 * A client event as the port's RecordedEvent. Events are written as JSON (data and metadata);
 * anything else found in the store (binary or malformed) is decoded as JSON when possible.
 *
 * Positions on stream reads are only sent by EventStoreDB 22.6 and later; the adapter needs them.
 */
export function toRecordedEvent(resolved: ResolvedEvent): RecordedEvent {
  const event = resolved.event;
  if (!event)
    throw new Error(
      'EventStoreDB returned a link to a deleted event; the adapter does not read links',
    );
  if (!event.position)
    throw new Error(
      `EventStoreDB returned ${event.streamId}@${event.revision} without a position (server older than 22.6?)`,
    );
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    revision: Number(event.revision),
    position: fromClientPosition(event.position),
    data: toJsonObject(event.data),
    metadata: toJsonObject(event.metadata),
    recordedAt: event.created,
  };
}

function toJsonObject(value: unknown): JsonObject {
  if (value === undefined || value === null) return {};
  if (value instanceof Uint8Array) {
    if (value.length === 0) return {};
    try {
      return toJsonObject(JSON.parse(Buffer.from(value).toString('utf8')));
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : { value: value as JsonObject[string] };
}
