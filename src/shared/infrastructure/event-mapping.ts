import type { JsonObject, NewEvent, RecordedEvent } from '../../event-store/event-store.port';
import type { DomainEvent, EventMeta } from '../domain/domain-event';

/** Version of the metadata layout below, so later readers can upcast old events. */
const METADATA_SCHEMA = 1;

export interface IdempotencyRecord {
  key: string;
  /** Hash of the request the key was first used with; a reuse with another request is refused. */
  fingerprint: string;
}

/** Store metadata: the audit facts of the domain event, plus what the shell adds. */
export interface StoredMetadata extends EventMeta {
  schema: number;
  idempotency?: IdempotencyRecord;
}

export function toNewEvent(
  event: DomainEvent,
  id: string,
  idempotency?: IdempotencyRecord,
): NewEvent {
  const metadata: StoredMetadata = {
    ...event.meta,
    schema: METADATA_SCHEMA,
    ...(idempotency ? { idempotency } : {}),
  };
  return {
    id,
    type: event.type,
    data: event.data as JsonObject,
    metadata: metadata as unknown as JsonObject,
  };
}

export function toDomainEvent<E extends DomainEvent>(recorded: RecordedEvent): E {
  const {
    schema: _schema,
    idempotency: _idempotency,
    ...meta
  } = recorded.metadata as unknown as StoredMetadata;
  return { type: recorded.type, data: recorded.data, meta } as unknown as E;
}

export function storedMetadata(recorded: RecordedEvent): StoredMetadata {
  return recorded.metadata as unknown as StoredMetadata;
}
