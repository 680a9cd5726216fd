import { START, type EventStoreDBClient } from '@eventstore/db-client';
import type { EventSubscription, RecordedEvent } from '../event-store.port';
import { toPortError } from './error.mapping';
import { toClientPosition } from './position.mapping';
import { toRecordedEvent } from './recorded-event.mapping';
import type { StreamSelection } from './stream-filter';

const CLOSED = Symbol('closed');

/**
 * A catch-up subscription to $all with the stream filter applied by the server, consumed with
 * `for await` so that a slow consumer holds the stream back instead of buffering without bound.
 */
export class EventStoreDbSubscription implements EventSubscription {
  private closed = false;
  private readonly closeSignal: Promise<typeof CLOSED>;
  private signalClose!: () => void;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly selection: StreamSelection,
    private readonly after: bigint | undefined,
    private readonly onClose: () => void,
  ) {
    this.closeSignal = new Promise((resolve) => (this.signalClose = () => resolve(CLOSED)));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    let after = this.after;
    const subscription = this.client.subscribeToAll({
      fromPosition: after === undefined ? START : toClientPosition(after),
      filter: this.selection.filter,
    });
    // Errors reach us through the iterator; this listener keeps a late one (after we stopped
    // iterating) from being an unhandled 'error' event.
    subscription.on('error', () => undefined);
    const iterator = subscription[Symbol.asyncIterator]();
    try {
      while (!this.closed) {
        const pending = iterator.next();
        pending.catch(() => undefined);
        const next = await Promise.race([pending, this.closeSignal]);
        if (next === CLOSED || next.done) return;
        const event = toRecordedEvent(next.value);
        if ((after !== undefined && event.position <= after) || !this.selection.accepts(event.streamId)) continue;
        after = event.position;
        yield event;
      }
    } catch (error) {
      throw toPortError(error);
    } finally {
      await subscription.unsubscribe().catch(() => undefined);
      await iterator.return?.().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signalClose();
    this.onClose();
  }
}
