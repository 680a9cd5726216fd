import type Database from 'better-sqlite3';
import type { Page } from '../../read-model/page';
import type { WebhookKind } from '../domain/webhook-kinds';

/** An endpoint as its party sees it (never with its secret). */
export interface WebhookEndpointView {
  id: string;
  partyId: string;
  url: string;
  kinds: WebhookKind[];
  description: string | null;
  revokedKeyLiveAfterHours: number;
  registeredAt: string;
}

export interface WebhookEndpointRow extends WebhookEndpointView {
  registeredPosition: bigint;
  deletedPosition: bigint | null;
}

interface RawEndpoint {
  endpoint_id: string;
  party_id: string;
  url: string;
  kinds: string;
  description: string | null;
  revoked_key_live_after_hours: number;
  registered_position: number;
  registered_at: string;
  deleted_position: number | null;
}

/** Reads of the webhook endpoints projection. */
export class WebhookEndpointReadModel {
  private readonly byId;
  private readonly byParty;
  private readonly matching;
  private readonly liveWithKind;
  private readonly firstRegistered;

  constructor(db: Database.Database) {
    this.byId = db.prepare<[string], RawEndpoint>(
      'SELECT * FROM webhook_endpoints WHERE endpoint_id = ?',
    );
    this.byParty = db.prepare<[string, string, number], RawEndpoint>(
      `SELECT * FROM webhook_endpoints WHERE party_id = ? AND deleted_position IS NULL AND endpoint_id > ?
        ORDER BY endpoint_id LIMIT ?`,
    );
    // Registered before the event and not deleted before it: what the event is matched against.
    this.matching = db.prepare<[string, number, number], RawEndpoint>(
      `SELECT * FROM webhook_endpoints WHERE party_id = ? AND registered_position < ?
          AND (deleted_position IS NULL OR deleted_position > ?)`,
    );
    this.firstRegistered = db.prepare<[], { position: number | null }>(
      'SELECT min(registered_position) AS position FROM webhook_endpoints',
    );
    this.liveWithKind = db.prepare<[string], RawEndpoint>(
      `SELECT e.* FROM webhook_endpoints e, json_each(e.kinds) k
        WHERE e.deleted_position IS NULL AND k.value = ? ORDER BY e.endpoint_id`,
    );
  }

  get(endpointId: string): WebhookEndpointRow | undefined {
    const row = this.byId.get(endpointId);
    return row && toRow(row);
  }

  /** A party's live endpoints, paged by id. */
  listOf(partyId: string, cursor: string | undefined, limit: number): Page<WebhookEndpointView> {
    const rows = this.byParty.all(partyId, cursor ?? '', limit + 1);
    const items = rows.slice(0, limit).map((row) => viewOf(toRow(row)));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  /** The party's endpoints that were live when the event at `position` was recorded and want `kind`. */
  matchingAt(partyId: string, position: bigint, kind: WebhookKind): WebhookEndpointRow[] {
    const at = Number(position);
    return this.matching
      .all(partyId, at, at)
      .map(toRow)
      .filter((endpoint) => endpoint.kinds.includes(kind));
  }

  /**
   * Where the first endpoint ever registered was (deleted ones stay as rows), or undefined when
   * none ever was: no event at or before it matches any endpoint (see matchingAt).
   */
  firstRegisteredPosition(): bigint | undefined {
    const position = this.firstRegistered.get()?.position;
    return position === null || position === undefined ? undefined : BigInt(position);
  }

  /** Every live endpoint that wants `kind` (the exposure scan's list). */
  liveWanting(kind: WebhookKind): WebhookEndpointRow[] {
    return this.liveWithKind.all(kind).map(toRow);
  }
}

export function viewOf(row: WebhookEndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    partyId: row.partyId,
    url: row.url,
    kinds: row.kinds,
    description: row.description,
    revokedKeyLiveAfterHours: row.revokedKeyLiveAfterHours,
    registeredAt: row.registeredAt,
  };
}

function toRow(row: RawEndpoint): WebhookEndpointRow {
  return {
    id: row.endpoint_id,
    partyId: row.party_id,
    url: row.url,
    kinds: JSON.parse(row.kinds) as WebhookKind[],
    description: row.description,
    revokedKeyLiveAfterHours: row.revoked_key_live_after_hours,
    registeredAt: row.registered_at,
    registeredPosition: BigInt(row.registered_position),
    deletedPosition: row.deleted_position === null ? null : BigInt(row.deleted_position),
  };
}

export const WEBHOOK_ENDPOINT_READ_MODEL = Symbol('WebhookEndpointReadModel');
