import type Database from 'better-sqlite3';
import type { JsonObject } from '../../event-store/event-store.port';
import type { Page } from '../../read-model/page';
import { instantOfColumn, uuidOfColumn } from '../../shared/infrastructure/compact-columns';

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
  event_id: Uint8Array | string;
  stream_id: string;
  revision: number;
  type: string;
  actor_person: string;
  actor_party: string;
  actor_role: string;
  occurred_at: number | string;
  reason: string | null;
  request_id: string;
  policy_version: number | null;
}

/** An audit row: everything of an entry but the event's data, which the store holds. */
export type AuditRow = Omit<AuditEntry, 'data' | 'leafIndex'>;

/** Who changed what: pages in global order, keyed by position so new events never shift a page. */
export class AuditReadModel {
  constructor(private readonly db: Database.Database) {}

  query(filter: AuditFilter, after: bigint, limit: number): Page<AuditRow> {
    const clauses = ['position > @after'];
    if (filter.streamId !== undefined) clauses.push('stream_id = @streamId');
    if (filter.actorPartyId !== undefined) clauses.push('actor_party = @actorPartyId');
    if (filter.actorPersonId !== undefined) clauses.push('actor_person = @actorPersonId');
    // Instants are stored as epoch milliseconds (compact-columns.ts); the filters are compared so.
    if (filter.from !== undefined) clauses.push('occurred_at >= @fromMillis');
    if (filter.to !== undefined) clauses.push('occurred_at < @toMillis');
    // The statement text depends only on which filters are present: at most 32 variants, cached by SQLite.
    const rows = this.db
      .prepare<Record<string, unknown>, RawAudit>(
        `SELECT * FROM audit WHERE ${clauses.join(' AND ')} ORDER BY position LIMIT @limit`,
      )
      .all({
        ...filter,
        fromMillis: filter.from === undefined ? undefined : Date.parse(filter.from),
        toMillis: filter.to === undefined ? undefined : Date.parse(filter.to),
        after,
        limit: limit + 1,
      });
    const items = rows.slice(0, limit).map(toEntry);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].position : null };
  }
}

function toEntry(row: RawAudit): AuditRow {
  return {
    position: String(row.position),
    eventId: uuidOfColumn(row.event_id),
    streamId: row.stream_id,
    revision: row.revision,
    type: row.type,
    actor: { personId: row.actor_person, partyId: row.actor_party, role: row.actor_role },
    occurredAt: instantOfColumn(row.occurred_at),
    reason: row.reason,
    requestId: row.request_id,
    policyVersion: row.policy_version,
  };
}

export const AUDIT_READ_MODEL = Symbol('AuditReadModel');
