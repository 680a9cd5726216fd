import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
} from '../../src/event-store/event-store.errors';
import { describeEventStoreContract } from './event-store.contract';

describeEventStoreContract('embedded SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  // As the service opens it: checkpoints on their own thread.
  const store = new SqliteEventStore(join(dir, 'events.db'), {
    pollIntervalMs: 20,
    backgroundCheckpoints: { intervalMs: 20 },
  });
  return {
    store,
    close: async () => {
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('embedded SQLite store on disk', () => {
  it('keeps every acknowledged event after the file is closed and opened again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-'));
    const file = join(dir, 'events.db');
    const first = new SqliteEventStore(file);
    const ids = [randomUUID(), randomUUID()];
    await first.appendToStream(
      'battery-1',
      ids.map((id) => ({ id, type: 'T', data: { n: 1 }, metadata: {} })),
      'no_stream',
    );
    await first.dispose();

    const reopened = new SqliteEventStore(file);
    expect((await reopened.readStream('battery-1')).map((e) => e.id)).toEqual(ids);
    await reopened.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
});

/** A store on a file of its own for each test of the block, closed and removed after it. */
function storePerTest(prefix: string): { store(): SqliteEventStore; file(): string } {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = new SqliteEventStore(join(dir, 'events.db'));
  });
  afterEach(async () => {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store: () => store, file: () => join(dir, 'events.db') };
}

describe('embedded SQLite store: event ids unique across the store', () => {
  const event = () => ({ id: randomUUID(), type: 'T', data: {}, metadata: {} });
  const fresh = storePerTest('ids-');

  it('refuses a stored id in another stream and appends nothing', async () => {
    const reused = event();
    await fresh.store().appendToStream('a', [reused], 'no_stream');
    await expect(fresh.store().appendToStream('b', [reused], 'any')).rejects.toBeInstanceOf(
      DuplicateEventIdError,
    );
    expect(await fresh.store().readStream('b')).toEqual([]);
  });

  it('refuses a batch that mixes a stored id with new ones and appends nothing', async () => {
    const stored = event();
    await fresh.store().appendToStream('a', [stored], 'no_stream');
    await expect(
      fresh.store().appendToStream('a', [event(), stored], 'any'),
    ).rejects.toBeInstanceOf(DuplicateEventIdError);
    expect(await fresh.store().readStream('a')).toHaveLength(1);
  });
});

describe('embedded SQLite store: nothing is answered before the disk has it', () => {
  /** A WAL flush the test lets finish (or fail) when it chooses. */
  function heldFlushes() {
    const held: { resolve(): void; reject(error: Error): void }[] = [];
    return {
      held,
      fileSync: () =>
        new Promise<void>((resolve, reject) => {
          held.push({ resolve, reject });
        }),
      async finishAll() {
        while (held.length > 0) {
          held.shift()?.resolve();
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
    };
  }
  const event = (n = 1) => ({ id: randomUUID(), type: 'T', data: { n }, metadata: {} });
  async function settled(promise: Promise<unknown>): Promise<boolean> {
    let done = false;
    promise.then(
      () => (done = true),
      () => (done = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    return done;
  }

  let dir: string;
  let store: SqliteEventStore;
  let flushes: ReturnType<typeof heldFlushes>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flush-'));
    flushes = heldFlushes();
    store = new SqliteEventStore(join(dir, 'events.db'), {
      pollIntervalMs: 10,
      fileSync: flushes.fileSync,
    });
  });
  afterEach(async () => {
    const closed = store.dispose();
    await flushes.finishAll();
    await closed;
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges an append, and lets anyone read it, only after the WAL flush returns', async () => {
    const append = store.appendToStream('battery-1', [event()], 'no_stream');
    const delivered: bigint[] = [];
    const subscription = store.subscribeToAll();
    void (async () => {
      for await (const recorded of subscription) delivered.push(recorded.position);
    })();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(flushes.held).toHaveLength(1);
    const stream = store.readStream('battery-1');
    const all = store.readAll();
    const head = store.headPosition();
    for (const waiting of [append, stream, all, head]) expect(await settled(waiting)).toBe(false);
    expect(delivered).toEqual([]);

    await flushes.finishAll();
    expect(await append).toEqual({ nextExpectedRevision: 0, position: 1n });
    expect((await stream).map((recorded) => recorded.position)).toEqual([1n]);
    expect(await all).toHaveLength(1);
    expect(await head).toBe(1n);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(delivered).toEqual([1n]);
    await subscription.close();
  });

  it('covers every commit made while a flush was under way with the next single flush', async () => {
    const first = store.appendToStream('a', [event()], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(flushes.held).toHaveLength(1);
    // Appended in later turns, each its own transaction, all while the first flush is held.
    const later: Promise<unknown>[] = [];
    for (let n = 0; n < 5; n++) {
      later.push(store.appendToStream(`b-${n}`, [event(n)], 'no_stream'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(flushes.held).toHaveLength(1);
    flushes.held.shift()?.resolve();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The first flush began before they were committed, so one more covers all five.
    expect(flushes.held).toHaveLength(1);
    for (const append of later) expect(await settled(append)).toBe(false);
    flushes.held.shift()?.resolve();
    await Promise.all(later);
    expect(flushes.held).toHaveLength(0);
  });

  it('refuses an append on a stale revision only once what it was decided on is on the disk', async () => {
    const first = store.appendToStream('a', [event()], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const stale = store.appendToStream('a', [event()], 'no_stream');
    expect(await settled(stale)).toBe(false);
    await flushes.finishAll();
    await first;
    await expect(stale).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });

  it('answers a retry of a durable append with a refusal beside it only once the refusal’s grounds are on the disk', async () => {
    const earlier = event();
    const durable = store.appendToStream('old', [earlier], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await flushes.finishAll();
    await durable;
    const first = store.appendToStream('b', [event()], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 5));
    // One batch: a retry answered from the disk, and a refusal decided on the append not yet flushed.
    const retry = store.appendToStream('old', [earlier], 'any');
    const stale = store.appendToStream('b', [event()], 'no_stream');
    expect(await settled(stale)).toBe(false);
    await flushes.finishAll();
    await Promise.all([first, retry]);
    await expect(stale).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });

  it('acknowledges nothing a failed flush was to cover, and goes on with the next flush', async () => {
    const lost = store.appendToStream('a', [event()], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 5));
    flushes.held
      .shift()
      ?.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(lost).rejects.toThrow('EIO');

    const next = store.appendToStream('b', [event()], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await flushes.finishAll();
    expect((await next).position).toBe(2n);
    expect((await store.readAll()).map((recorded) => recorded.streamId)).toEqual(['a', 'b']);
  });
});

describe('embedded SQLite store: what it remembers of a stream’s head', () => {
  const event = (n: number) => ({ id: randomUUID(), type: 'T', data: { n }, metadata: {} });
  const fresh = storePerTest('heads-');

  it('reads what another process appended after it read, or appended, to the end of a stream', async () => {
    await fresh.store().appendToStream('policy', [event(0)], 'no_stream');
    expect(await fresh.store().readStream('policy', { fromRevision: 1 })).toEqual([]);
    expect(await fresh.store().readStream('empty')).toEqual([]);

    const other = new SqliteEventStore(fresh.file());
    await other.appendToStream('policy', [event(1)], 0);
    await other.appendToStream('empty', [event(2)], 'no_stream');
    await other.dispose();

    expect(
      (await fresh.store().readStream('policy', { fromRevision: 1 })).map((e) => e.data),
    ).toEqual([{ n: 1 }]);
    expect((await fresh.store().readStream('empty')).map((e) => e.data)).toEqual([{ n: 2 }]);
  });

  it('keeps the head an append reached when a retry of an older append is answered', async () => {
    const first = event(0);
    await fresh.store().appendToStream('s', [first], 'no_stream');
    await fresh.store().appendToStream('s', [event(1)], 0);
    // The retry is answered with where the first append ended (revision 0), not where the stream is.
    expect((await fresh.store().appendToStream('s', [first], 'any')).nextExpectedRevision).toBe(0);
    expect((await fresh.store().readStream('s', { fromRevision: 1 })).map((e) => e.data)).toEqual([
      { n: 1 },
    ]);
  });

  it('reads from where a bounded read stopped, not from what it did not read', async () => {
    await fresh.store().appendToStream('s', [event(0), event(1), event(2)], 'no_stream');
    expect(await fresh.store().readStream('s', { fromRevision: 0, maxCount: 1 })).toHaveLength(1);
    expect(await fresh.store().readStream('s', { fromRevision: 1 })).toHaveLength(2);
  });
});
