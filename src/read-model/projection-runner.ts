import type Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import type { EventStore, EventSubscription } from '../event-store/event-store.port';
import { BATTERY_STREAM_PREFIX } from '../batteries/domain/battery-events';
import { PARTY_STREAM_PREFIX } from '../parties/domain/party-events';
import { POLICY_STREAM_PREFIX } from '../policy/domain/policy-events';
import { DEVICE_STREAM_PREFIX } from '../devices/domain/device-events';
import { clearReadModel } from './read-model.database';
import type { Projection } from './projection';

/** The streams this service writes; the subscription is filtered to them on the store's side. */
export const SERVICE_STREAM_PREFIXES = [BATTERY_STREAM_PREFIX, PARTY_STREAM_PREFIX, POLICY_STREAM_PREFIX, DEVICE_STREAM_PREFIX];

export interface ProjectionStatus {
  position: bigint;
  running: boolean;
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
  private readonly applyOne;
  private readonly readCheckpoint;

  constructor(
    private readonly store: EventStore,
    private readonly db: Database.Database,
    private readonly projections: readonly Projection[],
    private readonly logger: ProjectionLogger,
  ) {
    this.progress.setMaxListeners(0);
    const checkpoint = db.prepare<[], { position: number }>('SELECT position FROM checkpoint WHERE id = 1');
    const saveCheckpoint = db.prepare('INSERT INTO checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position');
    this.readCheckpoint = () => BigInt(checkpoint.get()?.position ?? 0);
    this.applyOne = db.transaction((event: Parameters<Projection['apply']>[0]) => {
      for (const projection of projections) projection.apply(event);
      saveCheckpoint.run(event.position);
    });
    this.status = { position: this.readCheckpoint(), running: false };
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
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
    clearReadModel(this.db);
    this.status = { position: 0n, running: false };
    this.start();
    const head = await this.store.headPosition();
    if (head !== undefined) await this.waitFor(head, 600_000);
  }

  currentStatus(): ProjectionStatus {
    return { ...this.status };
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
        this.subscription = this.store.subscribeToAll({ after: this.readCheckpoint(), streamPrefixes: SERVICE_STREAM_PREFIXES });
        this.status.running = true;
        for await (const event of this.subscription) {
          this.applyOne(event);
          this.status.position = event.position;
          backoffMs = 100;
          this.progress.emit('progress');
        }
      } catch (error) {
        this.status = { ...this.status, running: false, lastError: (error as Error).message, lastErrorAt: new Date().toISOString() };
        this.logger.error(`Projection stopped; resubscribing from checkpoint in ${backoffMs} ms`, error);
      }
      await this.subscription?.close();
      this.status.running = false;
      if (this.stopping) break;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }
}
