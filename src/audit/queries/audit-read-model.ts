import type Database from 'better-sqlite3';
import type { JsonObject, RecordedEvent } from '../../event-store/event-store.port';
import type { Page } from '../../read-model/page';
import { storedMetadata } from '../../shared/infrastructure/event-mapping';
import { AuditHours } from '../projections/audit-hours';
import { nameOfNumber, numberOfName } from '../../read-model/interned-names';

export interface AuditEntry {
  position: string;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  /** The event's data, read from the store (the audit rows do not keep it). */
  data: JsonObject;
  actor: { personId: string; partyId: string; role: string };
  occurredAt: string;
  reason: string | null;
  requestId: string;
  /** The policy version the decision was made under. */
  policyVersion: number | null;
  /** The event's leaf in the audit log (docs/audit-log.md); null while the log has not recorded it. */
  leafIndex: number | null;
}

export interface AuditFilter {
  streamId?: string;
  actorPartyId?: string;
  actorPersonId?: string;
  from?: string;
  to?: string;
}

interface RawAudit {
  position: number;
  stream_id: string;
  revision: number;
}

/**
 * An audit row: where the event is in the store. Who, when and why are the event's own metadata,
 * read with it (AuditQuery); the row keeps only what the filters select by.
 */
export interface AuditRow {
  position: string;
  streamId: string;
  revision: number;
}

/**
 * Who changed what: pages in global order, keyed by position so new events never shift a page.
 * Each filter is a seek on its index in position order (audit.schema.ts), so a page costs what
 * it returns, however long the history before it.
 */
export class AuditReadModel {
  private readonly hours: AuditHours;

  constructor(private readonly db: Database.Database) {
    this.hours = new AuditHours(db);
  }

  query(filter: AuditFilter, after: bigint, limit: number): Page<AuditRow> {
    const fromMillis = filter.from === undefined ? undefined : Date.parse(filter.from);
    const toMillis = filter.to === undefined ? undefined : Date.parse(filter.to);
    const positions = this.hours.positionsBetween(fromMillis, toMillis);
    if (positions.empty) return { items: [], nextCursor: null };
    const clauses = ['position > @after'];
    if (positions.first !== undefined) clauses.push('position >= @first');
    if (positions.last !== undefined) clauses.push('position <= @last');
    // A name no event carries has no number: the subquery is NULL, and nothing equals NULL.
    if (filter.streamId !== undefined) clauses.push(`stream = ${NUMBER_OF('streamId')}`);
    if (filter.actorPartyId !== undefined)
      clauses.push(`actor_party = ${NUMBER_OF('actorPartyId')}`);
    if (filter.actorPersonId !== undefined)
      clauses.push(`actor_person = ${NUMBER_OF('actorPersonId')}`);
    // Instants are stored as epoch milliseconds (compact-columns.ts); the filters are compared so.
    if (fromMillis !== undefined) clauses.push('occurred_at >= @fromMillis');
    if (toMillis !== undefined) clauses.push('occurred_at < @toMillis');
    // The statement text depends only on which filters are present: at most 32 variants, cached by SQLite.
    const rows = this.db
      .prepare<Record<string, unknown>, RawAudit>(
        `SELECT position, ${nameOfNumber('audit_names', 'stream')} AS stream_id, revision
         FROM audit WHERE ${clauses.join(' AND ')} ORDER BY position LIMIT @limit`,
      )
      .all({
        ...filter,
        fromMillis,
        toMillis,
        first: positions.first,
        last: positions.last,
        after,
        limit: limit + 1,
      });
    const items = rows.slice(0, limit).map(toRow);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].position : null };
  }
}

const NUMBER_OF = (parameter: string) => numberOfName('audit_names', parameter);

function toRow(row: RawAudit): AuditRow {
  return { position: String(row.position), streamId: row.stream_id, revision: row.revision };
}

/** An entry of the audit view: the event as recorded, with who, when and why from its metadata. */
export function auditEntryOf(
  position: string,
  event: RecordedEvent,
  leafIndex: number | null,
): AuditEntry {
  const meta = storedMetadata(event);
  return {
    position,
    eventId: event.id,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    data: event.data,
    actor: { personId: meta.actor.personId, partyId: meta.actor.partyId, role: meta.actor.role },
    occurredAt: meta.occurredAt,
    reason: meta.reason ?? null,
    requestId: meta.requestId,
    policyVersion: meta.policyVersion ?? null,
    leafIndex,
  };
}

export const AUDIT_READ_MODEL = Symbol('AuditReadModel');
