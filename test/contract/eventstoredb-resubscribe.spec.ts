import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { EventStoreUnavailableError } from '../../src/event-store/event-store.errors';
import type {
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
} from '../../src/event-store/event-store.port';
import { EventStoreDbTestServer } from '../support/esdb-server/esdb-test-server';

/**
 * The EventStoreDB client does not resubscribe by itself; the adapter's subscription must come back
 * after the server went away, from where it was, without skipping or repeating an event.
 */
describe('EventStoreDB subscription while the server stops and starts', () => {
  let server: EventStoreDbTestServer;
  let store: EventStoreDbEventStore;
  const drops: unknown[] = [];

  beforeEach(async () => {
    server = await EventStoreDbTestServer.start();
    store = EventStoreDbEventStore.fromConnectionString(server.connectionString, {
      resubscribe: { initialDelayMs: 20, maxDelayMs: 200, onDropped: (error) => drops.push(error) },
    });
  });

  afterEach(async () => {
    await store.dispose();
    await server.stop();
  });

  it('delivers every event exactly once and in order, during catch-up and live', async () => {
    const prefix = `resub${randomUUID().slice(0, 8)}-`;
    const writer = new Writer(store, prefix, 5);
    await writer.appendBatches(600); // ~1,500 events stored before the subscription starts

    const delivered: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ streamPrefixes: [prefix] });
    const consuming = (async () => {
      for await (const event of subscription) {
        delivered.push(event);
        // A slow consumer, so that the first restart lands in the middle of the catch-up.
        if (delivered.length % 50 === 0) await sleep(5);
      }
    })();

    await waitFor(() => delivered.length >= 200);
    expect(delivered.length).toBeLessThan(writer.appended.length); // still catching up

    // 1. Restart during catch-up while appends keep coming (and failing, and being retried).
    const appending = writer.appendBatches(200);
    await server.stop();
    await sleep(300);
    await server.start();
    await appending;

    // 2. Restart while the subscription is caught up and waiting for live events.
    await waitFor(() => delivered.length === writer.appended.length);
    await server.stop();
    await sleep(500); // several resubscription attempts fail meanwhile
    await server.start();
    await writer.appendBatches(100);

    await waitFor(() => delivered.length >= writer.appended.length);
    await sleep(200); // anything delivered twice would show up now
    await subscription.close();
    await consuming;

    expect(drops.length).toBeGreaterThanOrEqual(2);
    expect(delivered.map((event) => event.id)).toEqual(writer.appended.map((event) => event.id));
    for (let i = 1; i < delivered.length; i++)
      expect(delivered[i].position).toBeGreaterThan(delivered[i - 1].position);
  }, 60_000);
});

/** Appends batches of 1–4 events round-robin over a few streams, retrying while the store is away. */
class Writer {
  readonly appended: NewEvent[] = [];
  private readonly revisions = new Map<string, number>();
  private batches = 0;

  constructor(
    private readonly store: EventStore,
    private readonly prefix: string,
    private readonly streams: number,
  ) {}

  async appendBatches(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const streamId = `${this.prefix}${this.batches % this.streams}`;
      const events = Array.from({ length: 1 + (this.batches % 4) }, (): NewEvent => ({
        id: randomUUID(),
        type: 'Counted',
        data: { n: this.appended.length },
        metadata: {},
      }));
      const current = this.revisions.get(streamId);
      const expected: ExpectedRevision = current === undefined ? 'no_stream' : current;
      const result = await this.appendWithRetry(streamId, events, expected);
      this.revisions.set(streamId, result.nextExpectedRevision);
      this.appended.push(...events);
      this.batches++;
    }
  }

  /** The same ids and the same expected revision again: a retry is a no-op if the first try landed. */
  private async appendWithRetry(streamId: string, events: NewEvent[], expected: ExpectedRevision) {
    for (;;) {
      try {
        return await this.store.appendToStream(streamId, events, expected);
      } catch (error) {
        if (!(error instanceof EventStoreUnavailableError)) throw error;
        await sleep(25);
      }
    }
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for a condition');
    await sleep(10);
  }
}
