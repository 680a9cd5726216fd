/**
 * One message of the change feed (`GET /v1/changes`), its `data:` line as docs/change-feed.md
 * describes it. The OpenAPI document says only `text/event-stream` for the route (a stream of
 * these), so this one shape is typed by hand from that page.
 */
export interface ChangeEvent {
  /** The event's global store position; the message's `id:` (opaque, for Last-Event-ID). */
  position: string;
  eventId: string;
  /** `battery-<serial>`, `device-<serial>`, `party-…`, … */
  stream: string;
  /** The battery the event is about, for `battery-…` and `device-…` streams; else null. */
  serial: string | null;
  revision: number;
  type: string;
  /** The event's data, as the audit view shows it. */
  data: Record<string, unknown>;
  actor: { personId: string; partyId: string; role: string };
  reason: string | null;
  occurredAt: string;
  requestId: string;
  policyVersion: number | null;
}

/**
 * The `data:` of a feed message, if it has the fields the console relies on; undefined for
 * anything else (the caller then treats it as "something changed", never as nothing).
 */
export function parseChangeEvent(data: string): ChangeEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const event = value as Partial<Record<keyof ChangeEvent, unknown>>;
  const wellFormed =
    typeof event.position === 'string' &&
    typeof event.stream === 'string' &&
    typeof event.type === 'string' &&
    (event.serial === null || typeof event.serial === 'string');
  return wellFormed ? (value as ChangeEvent) : undefined;
}
