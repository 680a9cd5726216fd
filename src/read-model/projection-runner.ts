import type Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import type { EventStore, EventSubscription, RecordedEvent } from '../event-store/event-store.port';
import type { ReadModelRegistry } from './read-model-registry';
import { readCheckpoint } from './read-model.database';

export interface ProjectionStatus {
  position: bigint;
  running: boolean;
  /** When the position last moved, or the runner started: how long it has stood still. */
  advancedAt: Date;
  /** For the log only: an error's text may carry SQL or addresses, so /health never shows it. */
  lastError?: string;
  lastErrorAt?: string;
}

export interface ProjectionLogger {
  error(message: string, error?: unknown): void;
  warn(message: string): void;
}

/**
 * Keeps the local read model current: subscribes to the store from the durable checkpoint,
 * applies each event to every projection and moves the checkpoint in the same transaction, and
 * resubscribes from the checkpoint with bounded backoff after any failure, so no event is
 * skipped or applied twice.
 */
export class ProjectionRunner {
  private readonly progress = new EventEmitter();
  private subscription: EventSubscription | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private status: ProjectionStatus;
  private readonly applyBatch: (events: readonly RecordedEvent[]) => void;
  private readonly checkpointPosition: () => bigint;

  constructor(
    private readonly store: EventStore,
    db: Database.Database,
    /** What the contexts contributed: projections, tables, and the streams to follow. */
    private readonly readModel: ReadModelRegistry,
    private readonly logger: ProjectionLogger,
  ) {
    this.progress.setMaxListeners(0);
    const saveCheckpoint = db.prepare(
      'INSERT INTO checkpoint (id, position, event_id) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position, event_id = excluded.event_id',
    );
    // Read as a bigint (safeIntegers): a position is exact however large the store's offsets grow.
    this.checkpointPosition = () => readCheckpoint(db)?.position ?? 0n;
    const applyInTransaction = db.transaction((events: readonly RecordedEvent[]) => {
      for (const event of events) {
        for (const projection of readModel.projections) projection.apply(event);
      }
      for (const projection of readModel.projections) projection.flush?.();
      const last = events[events.length - 1];
      saveCheckpoint.run(last.position, last.id);
    });
    this.applyBatch = (events: readonly RecordedEvent[]) => {
      try {
        applyInTransaction(events);
      } catch (error) {
        for (const projection of readModel.projections) projection.forget?.();
        throw error;
      }
      for (const projection of readModel.projections) projection.committed?.();
    };
    this.status = { position: this.checkpointPosition(), running: false, advancedAt: new Date() };
  }

  start(): void {
    if (this.loop) return;
    // A context's tables were (re)created for a new layout: replay the store into all of them.
    if (this.readModel.takeReplayNeeded()) {
      this.readModel.clear();
      this.status = { position: 0n, running: false, advancedAt: new Date() };
    }
    this.stopping = false;
    this.status.advancedAt = new Date();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    await this.loop;
    this.loop = undefined;
  }

  /** Drops the read model and replays the whole store into it. */
  async rebuild(): Promise<void> {
    await this.stop();
    this.readModel.clear();
    this.status = { position: 0n, running: false, advancedAt: new Date() };
    this.start();
    const head = await this.store.headPosition();
    if (head !== undefined) await this.waitFor(head, 600_000);
  }

  currentStatus(): ProjectionStatus {
    return { ...this.status };
  }

  /** When the oldest event of this service's streams the read model has not applied was recorded; undefined when none waits. */
  async oldestPendingAt(): Promise<Date | undefined> {
    const [next] = await this.store.readAll({
      after: this.status.position,
      maxCount: 1,
      streamPrefixes: this.readModel.streamPrefixes,
    });
    return next?.recordedAt;
  }

  /** Resolves true once the read model has applied `position`, false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.status.position >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onProgress = () => {
        if (this.status.position >= position) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (reached: boolean) => {
        clearTimeout(timer);
        this.progress.off('progress', onProgress);
        resolve(reached);
      };
      this.progress.on('progress', onProgress);
    });
  }

  private async run(): Promise<void> {
    let backoffMs = 100;
    while (!this.stopping) {
      try {
        this.subscription = this.store.subscribeToAll({
          after: this.checkpointPosition(),
          streamPrefixes: this.readModel.streamPrefixes,
        });
        this.status.running = true;
        // Every event the subscription holds by the next turn of the event loop is applied in one
        // transaction (up to MAX_BATCH): catching up, that is up to thousands at once; live, it is every
        // command whose append shared the store's group commit, so concurrent commands share one
        // read-model transaction (its flushes and checkpoint) instead of paying for one each.
        // Catching up, HTTP gets a turn after each batch (a subscription with events at hand never
        // waits on I/O, so a service catching up on a large store used to answer nothing, not even
        // /health, until it was done); live, the wait for the next event is that turn.
        const chunks = chunksOf(this.subscription)[Symbol.asyncIterator]();
        let catchingUp = true;
        let next = pending(chunks.next());
        // A run of events the batch before had no room for: the start of the next batch.
        let leftOver: readonly RecordedEvent[] | undefined;
        for (;;) {
          let first: readonly RecordedEvent[];
          if (leftOver) {
            first = leftOver;
            leftOver = undefined;
          } else {
            const taken = await next;
            if (taken.done) break;
            first = taken.value;
            next = pending(chunks.next());
          }
          const batch = first.slice(0, MAX_BATCH);
          if (first.length > MAX_BATCH) leftOver = first.slice(MAX_BATCH);
          const wasCatchingUp = catchingUp;
          // One turn for the whole batch, not one per event: a timer and two promises less an event.
          const turn = nextTurn();
          while (!leftOver && batch.length < MAX_BATCH) {
            const more = await Promise.race([next, turn]);
            if (more === NEXT_TURN) catchingUp = false;
            if (more === NEXT_TURN || more.done) break;
            next = pending(chunks.next());
            if (batch.length + more.value.length > MAX_BATCH) {
              leftOver = more.value;
              break;
            }
            for (const event of more.value) batch.push(event);
          }
          // A full batch leaves more at hand (a burst of another instance's writes): catching up again.
          if (batch.length >= MAX_BATCH || leftOver) catchingUp = true;
          this.applyBatch(batch);
          this.status.position = batch[batch.length - 1].position;
          this.status.advancedAt = new Date();
          backoffMs = 100;
          this.progress.emit('progress');
          if (wasCatchingUp || catchingUp) await nextTurn();
        }
      } catch (error) {
        this.status = {
          ...this.status,
          running: false,
          lastError: (error as Error).message,
          lastErrorAt: new Date().toISOString(),
        };
        this.logger.error(
          `Projection stopped; resubscribing from checkpoint in ${backoffMs} ms`,
          error,
        );
      }
      await this.subscription?.close();
      this.status.running = false;
      if (this.stopping) break;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }
}

/**
 * The subscription's events in runs: as the store read them when it can say (catching up, a
 * promise per run rather than per event), else one at a time.
 */
function chunksOf(subscription: EventSubscription): AsyncIterable<readonly RecordedEvent[]> {
  return subscription.chunks?.() ?? oneAtATime(subscription);
}

async function* oneAtATime(events: AsyncIterable<RecordedEvent>): AsyncGenerator<RecordedEvent[]> {
  for await (const event of events) yield [event];
}

/**
 * Most events applied in one transaction while catching up before HTTP gets a turn: about 150 ms
 * of work on the bench machine. Each transaction rewrites the pages its rows share (the right
 * edges of the audit and tree tables, index interiors) and moves the checkpoint; 2,000 events a
 * transaction caught a 10,000-battery fleet up about 9 % sooner than 500 (five runs in turn).
 * An instance this far behind answers /health/ready with 503, so a balancer sends it no traffic
 * that would feel the longer turns; /health/live still answers between batches.
 */
export const MAX_BATCH = 2000;
const NEXT_TURN = Symbol('next turn');
/** Resolves after the I/O callbacks now due have run (setImmediate). */
const nextTurn = () => new Promise<typeof NEXT_TURN>((resolve) => setImmediate(resolve, NEXT_TURN));
/** A subscription's next event; marked handled, since a failure is awaited (and thrown) only later. */
function pending<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
