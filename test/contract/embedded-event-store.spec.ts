import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
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
    await first.appendToStream('battery-1', ids.map((id) => ({ id, type: 'T', data: { n: 1 }, metadata: {} })), 'no_stream');
    await first.dispose();

    const reopened = new SqliteEventStore(file);
    expect((await reopened.readStream('battery-1')).map((e) => e.id)).toEqual(ids);
    await reopened.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
});
