import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import type {
  AppendResult,
  Backlog,
  EventStore,
  EventSubscription,
  ExpectedRevision,
  JsonObject,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../event-store.port';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../event-store.errors';
import { PollingSubscription } from '../polling-subscription';
import {
  WalCheckpointer,
  type WalCheckpointerOptions,
} from '../../shared/infrastructure/wal-checkpointer';
import { StreamHeads } from './stream-heads';
import { WalDurability, type FileSync } from './wal-durability';

/** Most rows one query of readAll brings into memory. */
const READ_ALL_BATCH = 1000;
/** Streams whose head the store remembers (StreamHeads): about 100 bytes each. */
const STREAM_HEADS_REMEMBERED = 50_000;

interface EventRow {
  position: number;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

export interface SqliteEventStoreOptions {
  /** How often a subscription looks for events written by another process (ms). */
  pollIntervalMs?: number;
  /** How the WAL file is flushed to the disk (tests hold it to see what waits for it). */
  fileSync?: FileSync;
  /**
   * Checkpoints on a thread of their own (WalCheckpointer) instead of in the commit that crosses
   * SQLite's threshold, on the event loop; the service's store does so.
   */
  backgroundCheckpoints?: WalCheckpointerOptions;
}

type AppendOutcome = { result: AppendResult } | { error: unknown };

interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  expectedRevision: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The embedded default: one SQLite file in WAL mode, where an event that was acknowledged survives
 * `kill -9` and power loss. Appends that arrive in the same turn of the event loop share one
 * transaction, each in a savepoint of its own with its own expected-revision check: one refused
 * append rolls back alone. The WAL is flushed to the disk off the event loop (WalDurability), and
 * one flush covers every transaction committed before it began (group commit). Nothing is answered
 * before the flush that covers it has returned: not an append, not a refusal decided on what was
 * committed, and no read: a reader (a command's stream, a subscription) never sees an event that
 * a power loss could still take away.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly subscriptions = new Set<EventSubscription>();
  private readonly pollIntervalMs: number;
  private readonly statements;
  private readonly durability: WalDurability;
  private readonly heads: StreamHeads;
  private readonly checkpointer: WalCheckpointer | undefined;
  private readonly commitBatch: ReturnType<SqliteEventStore['batchTransaction']>;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  /** Committed batches whose answers wait for the flush that covers them. */
  private readonly settling = new Set<Promise<void>>();

  constructor(filename: string, options: SqliteEventStoreOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.appended.setMaxListeners(0);
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    // Committing never waits on the disk in the event loop: WalDurability flushes the WAL instead.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        position    INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id    TEXT    NOT NULL UNIQUE,
        stream_id   TEXT    NOT NULL,
        revision    INTEGER NOT NULL,
        type        TEXT    NOT NULL,
        data        TEXT    NOT NULL,
        metadata    TEXT    NOT NULL,
        recorded_at TEXT    NOT NULL,
        UNIQUE (stream_id, revision)
      );
    `);
    this.statements = {
      streamHead: this.db.prepare<[string], { revision: number | null }>(
        'SELECT max(revision) AS revision FROM events WHERE stream_id = ?',
      ),
      byEventId: this.db.prepare<[string], EventRow>('SELECT * FROM events WHERE event_id = ?'),
      insert: this.db.prepare(
        'INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      readStream: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
      ),
      readAll: this.db.prepare<[number, number], EventRow>(
        'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?',
      ),
      backlog: this.db.prepare<
        [number, number],
        Pick<EventRow, 'position' | 'stream_id' | 'recorded_at'>
      >(
        'SELECT position, stream_id, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT ?',
      ),
      head: this.db.prepare<[], { position: number | null }>(
        'SELECT max(position) AS position FROM events',
      ),
    };
    this.durability = new WalDurability(
      `${filename}-wal`,
      this.statements.head.get()?.position ?? 0,
      options.fileSync,
    );
    this.heads = new StreamHeads(this.db, STREAM_HEADS_REMEMBERED);
    if (options.backgroundCheckpoints)
      this.checkpointer = WalCheckpointer.start(this.db, options.backgroundCheckpoints);
    this.commitBatch = this.batchTransaction();
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('An append needs at least one event');
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ streamId, events, expectedRevision, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.commitPending());
      }
    });
  }

  /** One transaction for every append waiting; answered once the flush that covers it returns. */
  private commitPending(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const outcomes: AppendOutcome[] = [];
    const newHeads: [streamId: string, revision: number][] = [];
    try {
      this.commitBatch.immediate(batch, outcomes, newHeads);
    } catch (error) {
      // The commit itself failed: nothing of this batch is stored.
      for (const append of batch) append.reject(error);
      return;
    }
    for (const [streamId, revision] of newHeads) this.heads.remember(streamId, revision);
    const newest = Math.max(
      0,
      ...outcomes.map((outcome) => ('result' in outcome ? Number(outcome.result.position) : 0)),
    );
    // A refusal, or a retry answered with an earlier append, was decided on everything committed
    // before it: the batch is answered once all of that is on the disk.
    const settled = this.durability.settle(newest).then(
      () => {
        batch.forEach((append, index) => {
          const outcome = outcomes[index];
          if ('result' in outcome) append.resolve(outcome.result);
          else append.reject(outcome.error);
        });
        this.appended.emit('appended');
      },
      // The flush failed: whether the batch survives a power loss is unknown, so none is acknowledged.
      (error: unknown) => {
        for (const append of batch) append.reject(error);
      },
    );
    this.settling.add(settled);
    void settled.finally(() => this.settling.delete(settled));
  }

  /**
   * The batch's transaction and each append's savepoint, made once: better-sqlite3 builds a
   * transaction function (five wrappers) on every `db.transaction` call, about 7 µs each, which
   * every command paid twice.
   */
  private batchTransaction() {
    // A transaction inside a transaction is a savepoint: a refusal undoes this append only.
    const appendOne = this.db.transaction((append: PendingAppend) =>
      this.appendInTransaction(append.streamId, append.events, append.expectedRevision),
    );
    return this.db.transaction(
      (
        appends: readonly PendingAppend[],
        outcomes: AppendOutcome[],
        newHeads: [streamId: string, revision: number][],
      ) => {
        for (const append of appends) {
          try {
            const { result, appended } = appendOne(append);
            outcomes.push({ result });
            if (appended) newHeads.push([append.streamId, result.nextExpectedRevision]);
          } catch (error) {
            outcomes.push({ error });
          }
        }
      },
    );
  }

  /** What a reader got from the file, once it is on the disk (up to its highest position). */
  private async durable<T>(read: T, highest: number | undefined): Promise<T> {
    if (highest !== undefined && !this.durability.isDurable(highest)) {
      await this.durability.through(highest);
    }
    return read;
  }

  private appendInTransaction(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): { result: AppendResult; appended: boolean } {
    const retried = this.findRetriedAppend(streamId, events);
    if (retried) return { result: retried, appended: false };

    const current = this.statements.streamHead.get(streamId)?.revision ?? undefined;
    const matches =
      expected === 'any' ||
      (expected === 'no_stream' && current === undefined) ||
      (expected === 'stream_exists' && current !== undefined) ||
      (typeof expected === 'number' && current === expected);
    if (!matches) throw new WrongExpectedRevisionError(streamId, expected, current);

    const recordedAt = new Date().toISOString();
    let revision = current ?? -1;
    let position = 0;
    for (const event of events) {
      revision += 1;
      try {
        const info = this.statements.insert.run(
          event.id,
          streamId,
          revision,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          recordedAt,
        );
        position = Number(info.lastInsertRowid);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new DuplicateEventIdError(event.id, 'mixed with new events in one append');
        }
        throw error;
      }
    }
    return {
      result: { nextExpectedRevision: revision, position: BigInt(position) },
      appended: true,
    };
  }

  /**
   * EventStoreDB treats an append whose ids are already stored, in the same stream and order, as
   * a retry: it appends nothing and answers as the first time. Anything else with a known id is
   * refused rather than guessed at.
   */
  private findRetriedAppend(
    streamId: string,
    events: readonly NewEvent[],
  ): AppendResult | undefined {
    const first = this.statements.byEventId.get(events[0].id);
    if (!first) return undefined;
    let last = first;
    for (let i = 0; i < events.length; i++) {
      const stored = i === 0 ? first : this.statements.byEventId.get(events[i].id);
      if (!stored || stored.stream_id !== streamId || stored.revision !== first.revision + i) {
        throw new DuplicateEventIdError(
          events[i].id,
          `not a retry of the append that stored ${events[0].id} in ${first.stream_id}`,
        );
      }
      last = stored;
    }
    return { nextExpectedRevision: last.revision, position: BigInt(last.position) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const fromRevision = options.fromRevision ?? 0;
    const maxCount = options.maxCount ?? -1;
    if (this.heads.nothingFrom(streamId, fromRevision)) return [];
    const rows = this.statements.readStream.all(streamId, fromRevision, maxCount);
    // Read to its end: the stream has nothing after the last row, or from where the read began.
    if (maxCount < 0 || rows.length < maxCount) {
      this.heads.remember(streamId, rows.at(-1)?.revision ?? fromRevision - 1);
    }
    // A stream's revisions follow its positions: the last row is the newest.
    return this.durable(rows.map(toRecordedEvent), rows.at(-1)?.position);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const rows = Array.from(this.rowsAfter(this.statements.readAll, options));
    return this.durable(rows.map(toRecordedEvent), rows.at(-1)?.position);
  }

  /** As readAll, over three columns and without parsing a body. */
  async backlogAfter(options: ReadAllOptions & { maxCount: number }): Promise<Backlog> {
    let events = 0;
    let oldestAt: Date | undefined;
    let newest: number | undefined;
    for (const row of this.rowsAfter(this.statements.backlog, options)) {
      oldestAt ??= new Date(row.recorded_at);
      events += 1;
      newest = row.position;
    }
    return this.durable({ events, oldestAt }, newest);
  }

  /**
   * The rows after a position in global order, of the streams asked for, at most maxCount. The
   * filter runs after reading so the scan stays on the primary key; each query asks for no more
   * rows than are still wanted (a 50-event page reads 50, not 1,000), and batches bound the memory.
   */
  private *rowsAfter<Row extends Pick<EventRow, 'position' | 'stream_id'>>(
    statement: Database.Statement<[number, number], Row>,
    options: ReadAllOptions,
  ): Generator<Row> {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const prefixes = options.streamPrefixes;
    let after = Number(options.after ?? 0n);
    let matched = 0;
    while (matched < maxCount) {
      const rows = statement.all(after, Math.min(READ_ALL_BATCH, maxCount - matched));
      if (rows.length === 0) return;
      for (const row of rows) {
        if (prefixes && !prefixes.some((prefix) => row.stream_id.startsWith(prefix))) continue;
        yield row;
        if (++matched === maxCount) return;
      }
      after = rows[rows.length - 1].position;
    }
  }

  async headPosition(): Promise<bigint | undefined> {
    const position = this.statements.head.get()?.position ?? undefined;
    return this.durable(position === undefined ? undefined : BigInt(position), position);
  }

  subscribeToAll(options: SubscribeOptions = {}): EventSubscription {
    const subscription = new PollingSubscription({
      after: options.after,
      readBatch: (after) =>
        this.readAll({ after, maxCount: 500, streamPrefixes: options.streamPrefixes }),
      onAppended: (listener) => {
        this.appended.on('appended', listener);
        return () => this.appended.off('appended', listener);
      },
      pollIntervalMs: this.pollIntervalMs,
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async dispose(): Promise<void> {
    this.commitPending();
    await Promise.allSettled([...this.settling]);
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.checkpointer?.stop();
    if (this.db.open) {
      this.db.close();
      this.durability.close();
    }
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    revision: row.revision,
    position: BigInt(row.position),
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as JsonObject,
    recordedAt: new Date(row.recorded_at),
  };
}
