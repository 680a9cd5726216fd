import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../event-store/embedded/sqlite-event-store';
import type { EventStore, EventSubscription, RecordedEvent } from '../event-store/event-store.port';
import type { Projection } from './projection';
import { MAX_BATCH, ProjectionRunner } from './projection-runner';
import { openReadModelDatabase } from './read-model.database';
import { ReadModelRegistry } from './read-model-registry';

const quiet = { error: () => undefined, warn: () => undefined };

/**
 * The store, its subscriptions iterating as the store's own but handing over runs made by
 * `chunks` (none: one event at a time, as EventStoreDB's).
 */
function storeWhoseSubscriptions(
  store: EventStore,
  chunks?: (events: EventSubscription) => AsyncIterable<readonly RecordedEvent[]>,
): EventStore {
  return Object.assign(Object.create(store) as EventStore, {
    subscribeToAll: (...args: Parameters<EventStore['subscribeToAll']>): EventSubscription => {
      const subscription = store.subscribeToAll(...args);
      return {
        close: () => subscription.close(),
        [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](),
        ...(chunks ? { chunks: () => chunks(subscription) } : {}),
      };
    },
  });
}

/** The events in runs of these sizes, in turn. */
function inRunsOf(sizes: readonly number[]) {
  return async function* (events: AsyncIterable<RecordedEvent>) {
    let run: RecordedEvent[] = [];
    let taken = 0;
    for await (const event of events) {
      run.push(event);
      if (run.length < sizes[taken % sizes.length]) continue;
      yield run;
      run = [];
      taken += 1;
    }
  };
}

/** Records what each batch held, and which events, so a test sees the transactions the runner made. */
class BatchRecorder implements Projection {
  readonly name = 'batch-recorder';
  readonly batches: number[][] = [];
  private current: number[] = [];

  apply(event: RecordedEvent): void {
    this.current.push(Number(event.position));
  }

  flush(): void {
    this.batches.push(this.current);
    this.current = [];
  }

  forget(): void {
    this.current = [];
  }
}

describe('ProjectionRunner', () => {
  let dir: string;
  let store: SqliteEventStore;
  let runner: ProjectionRunner;
  let recorder: BatchRecorder;

  let db: ReturnType<typeof openReadModelDatabase>;
  let registry: ReadModelRegistry;

  // The fallback poll is out of reach: every event here arrives because its append woke the runner.
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projection-runner-'));
    store = new SqliteEventStore(join(dir, 'events.db'), { pollIntervalMs: 60_000 });
    db = openReadModelDatabase(join(dir, 'read-model.db'));
    registry = new ReadModelRegistry(db);
    registry.follow(['battery-']);
    recorder = new BatchRecorder();
    registry.add([recorder]);
    runner = new ProjectionRunner(store, db, registry, quiet);
  });

  afterEach(async () => {
    await runner.stop();
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (streamId: string) =>
    store.appendToStream(
      streamId,
      [{ id: randomUUID(), type: 'Noted', data: {}, metadata: {} }],
      'any',
    );

  it('applies the appends of concurrent commands, live, in one transaction, each once and in order', async () => {
    await append('battery-A');
    runner.start();
    expect(await runner.waitFor((await store.headPosition())!, 5_000)).toBe(true);
    const before = recorder.batches.length;

    // Ten commands answered in one turn of the event loop: their appends share the store's
    // group commit, and the read model applies them together.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => append(`battery-${i}`)));
    const last = results.reduce((max, { position }) => (position > max ? position : max), 0n);
    expect(await runner.waitFor(last, 5_000)).toBe(true);

    const live = recorder.batches.slice(before);
    expect(live.length).toBeLessThan(10);
    const applied = live.flat();
    expect(applied).toEqual(results.map(({ position }) => Number(position)).sort((a, b) => a - b));
  });

  it('applies a lone append, live, without waiting for company', async () => {
    runner.start();
    await append('battery-A');
    expect(await runner.waitFor((await store.headPosition())!, 5_000)).toBe(true);
    const { position } = await append('battery-B');
    expect(await runner.waitFor(position, 5_000)).toBe(true);
    expect(recorder.batches.flat()).toEqual([1, 2]);
  });

  it('gives the event loop a turn between the batches of a burst that arrives live', async () => {
    runner.start();
    await append('battery-A');
    expect(await runner.waitFor((await store.headPosition())!, 5_000)).toBe(true);

    // Another instance's burst: four batches' worth (the first may be applied before the probe starts).
    const burst = Array.from({ length: 4 * MAX_BATCH }, () => ({
      id: randomUUID(),
      type: 'Noted',
      data: {},
      metadata: {},
    }));
    const { position } = await store.appendToStream('battery-burst', burst, 'any');
    const seenByTimers: bigint[] = [];
    const probe = setInterval(() => seenByTimers.push(runner.currentStatus().position), 0);
    try {
      expect(await runner.waitFor(position, 10_000)).toBe(true);
    } finally {
      clearInterval(probe);
    }
    // HTTP (here a timer) ran between the burst's batches, not only before or after the burst.
    const halfway = new Set(seenByTimers.filter((seen) => seen > 1n && seen < position));
    expect(halfway.size).toBeGreaterThanOrEqual(2);
    expect(recorder.batches.flat()).toHaveLength(4 * MAX_BATCH + 1);
  });

  describe('catching up from runs of any size, or one event at a time', () => {
    const total = 6_500;
    beforeEach(async () => {
      const events = Array.from({ length: total }, () => ({
        id: randomUUID(),
        type: 'Noted',
        data: {},
        metadata: {},
      }));
      await store.appendToStream('battery-history', events, 'any');
    });

    const expectEveryEventOnceInOrder = () => {
      expect(recorder.batches.flat()).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(Math.max(...recorder.batches.map((batch) => batch.length))).toBeLessThanOrEqual(
        MAX_BATCH,
      );
    };

    it('cuts a run the batch has no room for: it starts the next batch, nothing lost or twice', async () => {
      // Runs that straddle MAX_BATCH, one longer than a whole batch, and small ones between.
      const sizes = [1, MAX_BATCH - 1, 700, MAX_BATCH + 500, 3, 1_297];
      expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(total);
      runner = new ProjectionRunner(
        storeWhoseSubscriptions(store, inRunsOf(sizes)),
        db,
        registry,
        quiet,
      );
      runner.start();
      expect(await runner.waitFor(BigInt(total), 10_000)).toBe(true);
      expectEveryEventOnceInOrder();
      // The run of MAX_BATCH + 500 was cut: a full batch of its first events, then the rest.
      expect(recorder.batches.map((batch) => batch.length)).toContain(MAX_BATCH);
    });

    it('batches a subscription that hands over one event at a time (EventStoreDB) the same way', async () => {
      runner = new ProjectionRunner(storeWhoseSubscriptions(store), db, registry, quiet);
      runner.start();
      expect(await runner.waitFor(BigInt(total), 10_000)).toBe(true);
      expectEveryEventOnceInOrder();
      expect(recorder.batches.length).toBeLessThan(total / 10);
    });
  });
});
