import { START, type EventStoreDBClient } from '@eventstore/db-client';
import type { EventSubscription, RecordedEvent } from '../event-store.port';
import { toPortError } from './error.mapping';
import { toClientPosition } from './position.mapping';
import { toRecordedEvent } from './recorded-event.mapping';
import type { StreamSelection } from './stream-filter';

export interface ResubscribeOptions {
  /** Wait before the first resubscription after a failure (ms); doubles on each failure in a row. */
  initialDelayMs?: number;
  /** Upper bound of the wait between two attempts (ms). */
  maxDelayMs?: number;
  /** Told of every drop before the wait, e.g. to log it. */
  onDropped?: (error: unknown, retryInMs: number) => void;
}

const CLOSED = Symbol('closed');

/**
 * A catch-up subscription to $all that survives the server: the client does not resubscribe by
 * itself, so when the subscription fails or ends (server stopped, connection lost, leader change)
 * this one subscribes again from the position of the last event it delivered, after a wait that
 * doubles from `initialDelayMs` up to `maxDelayMs` while failures follow each other, and starts
 * small again after a subscription that had been confirmed for at least `maxDelayMs`.
 * Subscriptions start strictly after the given position and every event at or before the last
 * delivered position is dropped, so no event is skipped or delivered twice. Only `close()` ends it.
 *
 * The stream filter is applied by the server; events are consumed with `for await` so that a slow
 * consumer holds the stream back instead of buffering without bound.
 */
export class EventStoreDbSubscription implements EventSubscription {
  private closed = false;
  private readonly closeSignal: Promise<typeof CLOSED>;
  private signalClose!: () => void;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly selection: StreamSelection,
    private readonly after: bigint | undefined,
    private readonly onClose: () => void,
    private readonly resubscribe: ResubscribeOptions = {},
  ) {
    this.closeSignal = new Promise((resolve) => (this.signalClose = () => resolve(CLOSED)));
    this.initialDelayMs = resubscribe.initialDelayMs ?? 100;
    this.maxDelayMs = resubscribe.maxDelayMs ?? 5000;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    let after = this.after;
    let delay = this.initialDelayMs;
    while (!this.closed) {
      const subscription = this.client.subscribeToAll({
        fromPosition: after === undefined ? START : toClientPosition(after),
        filter: this.selection.filter,
      });
      let confirmedAt: number | undefined;
      subscription.once('confirmation', () => (confirmedAt = Date.now()));
      // Errors reach us through the iterator; this listener keeps a late one (after we stopped
      // iterating) from being an unhandled 'error' event.
      subscription.on('error', () => undefined);
      const iterator = subscription[Symbol.asyncIterator]();
      let failure: unknown = new Error('The subscription ended');
      try {
        while (!this.closed) {
          const pending = iterator.next();
          pending.catch(() => undefined);
          const next = await Promise.race([pending, this.closeSignal]);
          if (next === CLOSED) return;
          if (next.done) break;
          const event = toRecordedEvent(next.value);
          if (
            (after !== undefined && event.position <= after) ||
            !this.selection.accepts(event.streamId)
          )
            continue;
          after = event.position;
          yield event;
        }
      } catch (error) {
        failure = toPortError(error);
      } finally {
        await subscription.unsubscribe().catch(() => undefined);
        await iterator.return?.().catch(() => undefined);
      }
      if (this.closed) return;
      // A subscription that ran for a while starts again with a short wait; one that fails right
      // after each confirmation (a server going up and down, an event we cannot read) keeps backing off.
      if (confirmedAt !== undefined && Date.now() - confirmedAt >= this.maxDelayMs)
        delay = this.initialDelayMs;
      this.resubscribe.onDropped?.(failure, delay);
      if (!(await this.wait(delay))) return;
      delay = Math.min(delay * 2, this.maxDelayMs);
    }
  }

  /** Waits, unless closed first; answers whether to go on. */
  private async wait(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
    const outcome = await Promise.race([elapsed, this.closeSignal]);
    clearTimeout(timer);
    return outcome === true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signalClose();
    this.onClose();
  }
}
