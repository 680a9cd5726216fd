import type Database from 'better-sqlite3';
import type { Page } from '../../read-model/page';
import type { WebhookKind } from '../domain/webhook-kinds';
import type { AttemptError } from '../delivery/webhook-sender';

/**
 * The dispatcher's own tables, in the read-model database but not part of any projection's
 * schema: a rebuild of the read model replays projections, and must neither forget what was
 * sent nor send it all again. The checkpoint and the outbox rows it covers are written in one
 * transaction, so an event is matched exactly once whatever crashes; sending comes after.
 */
const OUTBOX_DDL = `
  CREATE TABLE IF NOT EXISTS webhook_dispatch_checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE,
    endpoint_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_position INTEGER,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    last_attempt_at TEXT,
    delivered_at TEXT
  );
  CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
  CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, seq);`;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

/** A delivery to make: one endpoint, one occurrence. */
export interface NewDelivery {
  deliveryId: string;
  endpointId: string;
  kind: WebhookKind;
  eventPosition: bigint | null;
  payload: string;
}

export interface DueDelivery {
  deliveryId: string;
  endpointId: string;
  payload: string;
  attempts: number;
}

/** A delivery as its party sees it in the list. */
export interface DeliveryView {
  deliveryId: string;
  kind: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: AttemptError | null;
  eventPosition: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

interface RawDelivery {
  seq: number;
  delivery_id: string;
  endpoint_id: string;
  kind: string;
  event_position: number | null;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: AttemptError | null;
  created_at: string;
  last_attempt_at: string | null;
  delivered_at: string | null;
}

export class DeliveryOutbox {
  private readonly readCheckpoint;
  private readonly saveCheckpoint;
  private readonly insert;
  private readonly dueRows;
  private readonly succeeded;
  private readonly failedAttempt;
  private readonly cancelRows;
  private readonly page;
  private readonly byId;
  readonly commit: (deliveries: readonly NewDelivery[], position: bigint, now: Date) => void;

  constructor(db: Database.Database) {
    db.exec(OUTBOX_DDL);
    this.readCheckpoint = db.prepare<[], { position: number }>(
      'SELECT position FROM webhook_dispatch_checkpoint WHERE id = 1',
    );
    this.saveCheckpoint = db.prepare(
      'INSERT INTO webhook_dispatch_checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position',
    );
    // The id is the occurrence's: matching an event again (a replay, an exposure seen twice) adds nothing.
    this.insert = db.prepare(`
      INSERT OR IGNORE INTO webhook_deliveries (delivery_id, endpoint_id, kind, event_position, payload, status, next_attempt_at, created_at)
      VALUES (@deliveryId, @endpointId, @kind, @eventPosition, @payload, 'pending', @due, @createdAt)`);
    this.dueRows = db.prepare<[number, number], RawDelivery>(
      `SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
        ORDER BY next_attempt_at, seq LIMIT ?`,
    );
    this.succeeded = db.prepare(
      `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = @status,
         last_error = NULL, last_attempt_at = @at, delivered_at = @at, next_attempt_at = NULL
       WHERE delivery_id = @deliveryId AND status = 'pending'`,
    );
    this.failedAttempt = db.prepare(
      `UPDATE webhook_deliveries SET status = @nextStatus, attempts = attempts + 1, last_status = @status,
         last_error = @error, last_attempt_at = @at, next_attempt_at = @nextAttemptAt
       WHERE delivery_id = @deliveryId AND status = 'pending'`,
    );
    this.cancelRows = db.prepare(
      `UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL
        WHERE endpoint_id = ? AND status = 'pending'`,
    );
    this.page = db.prepare<[string, number, number], RawDelivery>(
      'SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    );
    this.byId = db.prepare<[string], RawDelivery>(
      'SELECT * FROM webhook_deliveries WHERE delivery_id = ?',
    );
    this.commit = db.transaction(
      (deliveries: readonly NewDelivery[], position: bigint, now: Date) => {
        this.add(deliveries, now);
        this.saveCheckpoint.run(position);
      },
    );
  }

  checkpoint(): bigint {
    return BigInt(this.readCheckpoint.get()?.position ?? 0);
  }

  /** Adds deliveries due now; those whose id is already there are left as they are. */
  add(deliveries: readonly NewDelivery[], now: Date): void {
    for (const delivery of deliveries) {
      this.insert.run({
        ...delivery,
        due: now.getTime(),
        createdAt: now.toISOString(),
      });
    }
  }

  /** Pending deliveries whose time has come, oldest due first. */
  due(now: Date, limit: number): DueDelivery[] {
    return this.dueRows.all(now.getTime(), limit).map((row) => ({
      deliveryId: row.delivery_id,
      endpointId: row.endpoint_id,
      payload: row.payload,
      attempts: row.attempts,
    }));
  }

  recordSuccess(deliveryId: string, status: number, at: Date): void {
    this.succeeded.run({ deliveryId, status, at: at.toISOString() });
  }

  /** A failed attempt: due again at `nextAttemptAt`, or failed for good when it is null. */
  recordFailure(
    deliveryId: string,
    result: { status: number | null; error: AttemptError },
    at: Date,
    nextAttemptAt: Date | null,
  ): void {
    this.failedAttempt.run({
      deliveryId,
      status: result.status,
      error: result.error,
      at: at.toISOString(),
      nextStatus: nextAttemptAt ? 'pending' : 'failed',
      nextAttemptAt: nextAttemptAt?.getTime() ?? null,
    });
  }

  cancelPendingOf(endpointId: string): void {
    this.cancelRows.run(endpointId);
  }

  /** An endpoint's deliveries, newest first, paged by a cursor of our own. */
  listOf(endpointId: string, cursor: string | undefined, limit: number): Page<DeliveryView> {
    const before = cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(cursor);
    const rows = this.page.all(endpointId, before, limit + 1);
    const items = rows.slice(0, limit);
    return {
      items: items.map(viewOf),
      nextCursor: rows.length > limit ? String(items[items.length - 1].seq) : null,
    };
  }

  get(deliveryId: string): DeliveryView | undefined {
    const row = this.byId.get(deliveryId);
    return row && viewOf(row);
  }
}

function viewOf(row: RawDelivery): DeliveryView {
  return {
    deliveryId: row.delivery_id,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    eventPosition: row.event_position === null ? null : String(row.event_position),
    createdAt: row.created_at,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt:
      row.status === 'pending' && row.next_attempt_at !== null
        ? new Date(row.next_attempt_at).toISOString()
        : null,
    deliveredAt: row.delivered_at,
  };
}

export const DELIVERY_OUTBOX = Symbol('DeliveryOutbox');
