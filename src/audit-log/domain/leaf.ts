import canonicalize from 'canonicalize';
import { leafHash } from './hashing';

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
  const text = canonicalize({
    stream: event.stream,
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
  // canonicalize answers undefined only for a top-level undefined; the object above never is.
  if (text === undefined) throw new Error('A leaf cannot be canonicalized');
  return text;
}

export function leafBytes(event: LeafEvent): Uint8Array {
  return new TextEncoder().encode(leafText(event));
}

export function leafHashOf(event: LeafEvent): Uint8Array {
  return leafHash(leafBytes(event));
}
