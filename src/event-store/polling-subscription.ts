import type { EventSubscription, RecordedEvent } from './event-store.port';

export interface PollingSubscriptionSource {
  after?: bigint;
  readBatch(after: bigint | undefined): Promise<RecordedEvent[]>;
  /** Registers a wake-up call for appends made in this process; returns the unregister function. */
  onAppended(listener: () => void): () => void;
  /** Fallback wake-up for appends made by other processes sharing the store. */
  pollIntervalMs: number;
  onClose(): void;
}

/**
 * A catch-up subscription over a store that can be read in global order: reads batches after the
 * last delivered position until none is left, then sleeps until an append or the poll interval.
 */
export class PollingSubscription implements EventSubscription {
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(private readonly source: PollingSubscriptionSource) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    for await (const chunk of this.chunks()) {
      for (const event of chunk) {
        if (this.closed) return;
        yield event;
      }
    }
  }

  /** Each batch the source read, as read; the next is read when this one is taken. */
  async *chunks(): AsyncGenerator<readonly RecordedEvent[]> {
    let after = this.source.after;
    const unregister = this.source.onAppended(() => this.wake?.());
    try {
      while (!this.closed) {
        const batch = await this.source.readBatch(after);
        if (this.closed) return;
        if (batch.length === 0) {
          await this.sleep();
          continue;
        }
        yield batch;
        after = batch[batch.length - 1].position;
      }
    } finally {
      unregister();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.source.pollIntervalMs);
      const wake = () => done();
      this.wake = wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.source.onClose();
  }
}
