import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import { DuplicateEventIdError } from '../../src/event-store/event-store.errors';
import { describeEventStoreContract } from './event-store.contract';

describeEventStoreContract('embedded SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  const store = new SqliteEventStore(join(dir, 'events.db'), { pollIntervalMs: 20 });
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

describe('embedded SQLite store: event ids unique across the store', () => {
  const event = () => ({ id: randomUUID(), type: 'T', data: {}, metadata: {} });
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ids-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
  });
  afterEach(async () => {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a stored id in another stream and appends nothing', async () => {
    const reused = event();
    await store.appendToStream('a', [reused], 'no_stream');
    await expect(store.appendToStream('b', [reused], 'any')).rejects.toBeInstanceOf(
      DuplicateEventIdError,
    );
    expect(await store.readStream('b')).toEqual([]);
  });

  it('refuses a batch that mixes a stored id with new ones and appends nothing', async () => {
    const stored = event();
    await store.appendToStream('a', [stored], 'no_stream');
    await expect(store.appendToStream('a', [event(), stored], 'any')).rejects.toBeInstanceOf(
      DuplicateEventIdError,
    );
    expect(await store.readStream('a')).toHaveLength(1);
  });
});
