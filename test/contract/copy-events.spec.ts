import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import type { EventStore, RecordedEvent } from '../../src/event-store/event-store.port';
import {
  copyEvents,
  TargetNotAPrefixError,
  type CopyProgress,
} from '../../src/event-store/migration/copy-events';
import { EventStoreDbTestServer } from '../support/esdb-server/esdb-test-server';
import { EventStoreDbTestServerThread } from '../support/esdb-server/esdb-test-server-thread';

// The embedded store syncs every append to disk; the source is only scaffolding, so keep it in RAM when we can.
const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

describe('copying every event from one store to another', () => {
  let dir: string;
  let server: EventStoreDbTestServer;
  const disposables: EventStore[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(scratch, 'copy-events-'));
    server = await EventStoreDbTestServer.start();
  });

  afterEach(async () => {
    await Promise.all(disposables.splice(0).map((store) => store.dispose()));
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const embedded = (name: string) => track(new SqliteEventStore(join(dir, `${name}.db`)));
  const eventStoreDb = () =>
    track(EventStoreDbEventStore.fromConnectionString(server.connectionString));
  function track<T extends EventStore>(store: T): T {
    disposables.push(store);
    return store;
  }

  it('copies 5,000 events into EventStoreDB when an append lands but its answer is lost, and resumes', async () => {
    const source = embedded('source');
    await fill(source, 5_000, 300);
    const target = eventStoreDb();
    let lastProgress: CopyProgress | undefined;
    const firstRun = await copyEvents(source, crashingAfterAppends(target, 400), {
      pageSize: 500,
      onProgress: (p) => (lastProgress = p),
    }).catch((e: unknown) => e);
    expect(firstRun).toMatchObject({ message: expect.stringContaining('Simulated crash') });
    expect(lastProgress!.copied).toBeGreaterThan(500);

    const secondRun = await copyEvents(source, target, { pageSize: 500 });
    expect(secondRun.resumed).toBe(true);
    // The append whose answer was lost is counted by neither run, and nothing is copied twice.
    expect(lastProgress!.copied + secondRun.copied).toBeLessThan(5_000);
    await expectSameEvents(source, target, 5_000);
  }, 60_000);

  it('copies from EventStoreDB into the embedded store, stopped part-way and resumed, without system or claim streams', async () => {
    const source = eventStoreDb();
    await fill(source, 3_000, 100);
    const target = embedded('target');

    const controller = new AbortController();
    const firstRun = await copyEvents(source, target, {
      pageSize: 250,
      onProgress: (p) => p.copied >= 1_000 && controller.abort(),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(firstRun).toMatchObject({ name: 'AbortError' });

    const secondRun = await copyEvents(source, target, { pageSize: 250 });
    expect(secondRun.resumed).toBe(true);
    expect(secondRun.copied).toBeLessThanOrEqual(2_000);
    await expectSameEvents(source, target, 3_000);
    expect((await target.readAll()).some((e) => e.streamId.startsWith('$'))).toBe(false);
  }, 60_000);

  it('does nothing when everything is already there', async () => {
    const source = embedded('source');
    await fill(source, 200, 10);
    const target = eventStoreDb();
    await copyEvents(source, target);
    await expect(copyEvents(source, target)).resolves.toEqual({ copied: 0, resumed: true });
    await expectSameEvents(source, target, 200);
  });

  it('refuses a target that holds other events', async () => {
    const source = embedded('source');
    await fill(source, 50, 5);
    const target = embedded('target');
    await target.appendToStream(
      'battery-unrelated',
      [{ id: randomUUID(), type: 'Other', data: {}, metadata: {} }],
      'no_stream',
    );
    await expect(copyEvents(source, target)).rejects.toBeInstanceOf(TargetNotAPrefixError);
  });
});

/**
 * The real thing at scale: the migrate-store command in its own process (as an operator runs it),
 * killed part-way with SIGKILL and run again. The test double runs in a worker thread so that its
 * side of gRPC gets the second core.
 */
describe('migrate-store: 100,000 events from the embedded store into EventStoreDB', () => {
  const root = resolve(__dirname, '../..');
  let dir: string;
  let server: EventStoreDbTestServerThread;

  beforeAll(async () => {
    dir = mkdtempSync(join(scratch, 'migrate-store-'));
    server = await EventStoreDbTestServerThread.start();
  });

  afterAll(async () => {
    await server.terminate();
    rmSync(dir, { recursive: true, force: true });
  });

  function migrateStore(
    file: string,
    onLine: (line: string, kill: () => void) => void = () => undefined,
  ) {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        'src/cli/migrate-store.ts',
        '--from',
        file,
        '--to',
        server.connectionString,
        '--progress',
        'lines',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const lines: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      lines.push(line);
      onLine(line, () => child.kill('SIGKILL'));
    });
    return new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: string;
      stderr: string[];
    }>((done) =>
      child.on('close', (code, signal) => done({ code, signal, stdout, stderr: lines })),
    );
  }

  it('copies every event with its id, order and revision, killed once part-way and resumed', async () => {
    const started = Date.now();
    const file = join(dir, 'source.db');
    const source = new SqliteEventStore(file);
    await fill(source, 100_000, 2_000);
    await source.dispose();
    const filled = Date.now();

    const killed = await migrateStore(file, (line, kill) => {
      const copied = Number(/^copied (\d+) events/.exec(line)?.[1] ?? 0);
      if (copied >= 30_000) kill();
    });
    expect(killed).toMatchObject({ signal: 'SIGKILL' });
    const resumed = await migrateStore(file);
    expect(resumed).toMatchObject({ code: 0, stdout: expect.stringContaining('resumed') });
    const copiedAgain = Number(/Copied (\d+) events/.exec(resumed.stdout)?.[1]);
    expect(copiedAgain).toBeLessThan(75_000); // the first run's events were not copied again
    const copied = Date.now();

    const reopened = new SqliteEventStore(file);
    const target = EventStoreDbEventStore.fromConnectionString(server.connectionString);
    try {
      await expectSameEvents(reopened, target, 100_000);
    } finally {
      await Promise.all([reopened.dispose(), target.dispose()]);
    }
    console.log(
      `migrate-store, 100k events: fill ${(filled - started) / 1000}s, copy (both runs) ${(copied - filled) / 1000}s, ` +
        `verify ${(Date.now() - copied) / 1000}s`,
    );
  }, 120_000);
});

/** Appends `count` events in batches of 1–6 to random streams, each batch with the exact expected revision. */
async function fill(store: EventStore, count: number, streams: number): Promise<void> {
  const revisions = new Map<string, number>();
  let written = 0;
  while (written < count) {
    const streamId = `battery-${Math.floor(Math.random() * streams)}`;
    const size = Math.min(count - written, 1 + Math.floor(Math.random() * 6));
    const events = Array.from({ length: size }, () => ({
      id: randomUUID(),
      type: written % 3 === 0 ? 'KeyIssued' : 'OwnershipTransferred',
      data: { n: written++, text: 'ü⚡' },
      metadata: { occurredAt: '2025-01-01T00:00:00.000Z' },
    }));
    const current = revisions.get(streamId);
    const result = await store.appendToStream(
      streamId,
      events,
      current === undefined ? 'no_stream' : current,
    );
    revisions.set(streamId, result.nextExpectedRevision);
  }
}

/** Every event id, in the same global order, with the same stream, revision, type, data and metadata. */
async function expectSameEvents(
  source: EventStore,
  target: EventStore,
  expectedCount: number,
): Promise<void> {
  const strip = ({ id, streamId, revision, type, data, metadata }: RecordedEvent) => ({
    id,
    streamId,
    revision,
    type,
    data,
    metadata,
  });
  const [from, to] = await Promise.all([source.readAll(), target.readAll()]);
  expect(from).toHaveLength(expectedCount);
  expect(to).toHaveLength(expectedCount);
  for (let i = 0; i < expectedCount; i++) {
    // One comparison per event keeps a failure readable (and fast on 100k events).
    if (JSON.stringify(strip(from[i])) !== JSON.stringify(strip(to[i])))
      expect(strip(to[i])).toEqual(strip(from[i]));
  }
  expect(new Set(to.map((e) => e.id)).size).toBe(expectedCount);
}

/** The target, but the n-th append lands and then its answer is lost, as in a crash at the worst moment. */
function crashingAfterAppends(store: EventStore, appends: number): EventStore {
  let count = 0;
  return {
    appendToStream: async (...args) => {
      const result = await store.appendToStream(...args);
      if (++count === appends)
        throw new Error('Simulated crash: the append landed but its answer was lost');
      return result;
    },
    readStream: (...args) => store.readStream(...args),
    readAll: (...args) => store.readAll(...args),
    backlogAfter: (...args) => store.backlogAfter(...args),
    headPosition: () => store.headPosition(),
    subscribeToAll: (...args) => store.subscribeToAll(...args),
    dispose: async () => undefined,
  };
}
