import { canonicalJson } from './canonical-json';
import { leafHashOfText } from './hashing';

/** What a leaf holds of one recorded event (docs/audit-log.md §1), and nothing else. */
export interface LeafEvent {
  stream: string;
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: unknown;
}

/**
 * The leaf text: the RFC 8785 canonical JSON of exactly the six members. The store's own commit
 * time and position stay out, so the same events give the same leaves on either store.
 */
export function leafText(event: LeafEvent): string {
  return canonicalJson({
    stream: event.stream,
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
}

const utf8 = new TextEncoder();

export function leafBytes(event: LeafEvent): Uint8Array {
  return utf8.encode(leafText(event));
}

export function leafHashOf(event: LeafEvent): Uint8Array {
  return leafHashOfText(leafText(event));
}
