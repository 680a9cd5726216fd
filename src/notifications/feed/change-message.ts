import type { JsonObject, RecordedEvent } from '../../event-store/event-store.port';
import { storedMetadata } from '../../shared/infrastructure/event-mapping';
import { serialOfStream } from '../domain/stream-subject';

/** What one change-feed message carries: the event as the audit view shows it (docs/change-feed.md). */
export interface ChangeMessage {
  position: string;
  eventId: string;
  stream: string;
  serial: string | null;
  revision: number;
  type: string;
  data: JsonObject;
  actor: { personId: string; partyId: string; role: string };
  reason: string | null;
  occurredAt: string;
  requestId: string;
  policyVersion: number | null;
}

export function changeMessageOf(event: RecordedEvent): ChangeMessage {
  const meta = storedMetadata(event);
  return {
    position: event.position.toString(),
    eventId: event.id,
    stream: event.streamId,
    serial: serialOfStream(event.streamId),
    revision: event.revision,
    type: event.type,
    data: event.data,
    actor: {
      personId: meta.actor.personId,
      partyId: meta.actor.partyId,
      role: meta.actor.role,
    },
    reason: meta.reason ?? null,
    occurredAt: meta.occurredAt,
    requestId: meta.requestId,
    policyVersion: meta.policyVersion ?? null,
  };
}

/**
 * One SSE message (WHATWG HTML, server-sent events): `id`, `event`, and the JSON on one `data`
 * line. JSON.stringify escapes every line break, and event types are identifiers, so no field
 * can end a line early and forge another message.
 */
export function sseMessage(message: ChangeMessage): string {
  const type = message.type.replace(/[\r\n]/g, '');
  return `id: ${message.position}\nevent: ${type}\ndata: ${JSON.stringify(message)}\n\n`;
}

/** A comment line: ignored by every SSE client, it keeps proxies and sockets awake. */
export const sseComment = (text: string) => `: ${text}\n\n`;
