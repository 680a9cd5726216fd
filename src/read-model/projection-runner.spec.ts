import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../event-store/embedded/sqlite-event-store';
import type { RecordedEvent } from '../event-store/event-store.port';
import type { Projection } from './projection';
import { MAX_BATCH, ProjectionRunner } from './projection-runner';
import { openReadModelDatabase } from './read-model.database';
import { ReadModelRegistry } from './read-model-registry';

const quiet = { error: () => undefined, warn: () => undefined };

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

  // The fallback poll is out of reach: every event here arrives because its append woke the runner.
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projection-runner-'));
    store = new SqliteEventStore(join(dir, 'events.db'), { pollIntervalMs: 60_000 });
    const db = openReadModelDatabase(join(dir, 'read-model.db'));
    const registry = new ReadModelRegistry(db);
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
});
