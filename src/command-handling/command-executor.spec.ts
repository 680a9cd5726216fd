import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../event-store/embedded/sqlite-event-store';
import { DuplicateEventIdError } from '../event-store/event-store.errors';
import { ProjectionRunner } from '../read-model/projection-runner';
import { openReadModelDatabase } from '../read-model/read-model.database';
import { ReadModelRegistry } from '../read-model/read-model-registry';
import { IdempotencyRecords } from './idempotency/idempotency-records';
import { IDEMPOTENCY_SCHEMA } from './idempotency/idempotency.schema';

/** The idempotency table and its reader, as the command-handling module installs them. */
function idempotencyRecords(db: Database.Database): IdempotencyRecords {
  new ReadModelRegistry(db).install(IDEMPOTENCY_SCHEMA);
  return new IdempotencyRecords(db);
}
import type { Decider } from '../shared/domain/decider';
import type { DomainEvent } from '../shared/domain/domain-event';
import { CommandExecutor } from './command-executor';

const actor = { personId: 'p', partyId: 'q', roles: [] };
const meta = {
  actor: { personId: 'p', partyId: 'q', role: 'r' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  requestId: 'x',
  policyVersion: 1,
};
/** Appends one event per "add", nothing for "noop". */
const counter: Decider<'add' | 'noop', number, DomainEvent> = {
  initialState: () => 0,
  evolve: (n) => n + 1,
  decide: (command) => (command === 'add' ? [{ type: 'Added', data: {}, meta }] : []),
};

describe('command executor', () => {
  let dir: string;
  let store: SqliteEventStore;
  let db: Database.Database;
  let executor: CommandExecutor;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'executor-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
    db = openReadModelDatabase(join(dir, 'read-model.db'));
    executor = new CommandExecutor(
      store,
      idempotencyRecords(db),
      new ProjectionRunner(store, db, new ReadModelRegistry(db), {
        error: () => undefined,
        warn: () => undefined,
      }),
      0,
    );
  });
  afterEach(async () => {
    await store.dispose();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a decision that changes nothing with no events and where the stream already is', async () => {
    expect(await executor.execute('counter-1', counter, 'noop', { actor })).toEqual({
      streamId: 'counter-1',
      revision: -1,
      position: '0',
      events: [],
      replayed: false,
    });
    const added = await executor.execute('counter-1', counter, 'add', { actor });
    expect(await executor.execute('counter-1', counter, 'noop', { actor })).toMatchObject({
      revision: 0,
      position: added.position,
      events: [],
    });
    expect(await store.readStream('counter-1')).toHaveLength(1);
  });

  it('derives the same event ids for a retried Idempotency-Key on the same stream, and other ids on another stream', async () => {
    const idempotency = { key: 'k', fingerprint: 'f' };
    const first = await executor.execute('counter-a', counter, 'add', { actor, idempotency });
    const elsewhere = await executor.execute('counter-b', counter, 'add', {
      actor,
      idempotency: { key: 'k', fingerprint: 'g' },
    });
    expect(elsewhere.events[0].id).not.toBe(first.events[0].id);
  });

  it('folds its own appends under an Idempotency-Key into the state it keeps, and still knows them as retries', async () => {
    const idempotency = { key: 'k', fingerprint: 'f' };
    const first = await executor.execute('counter-i', counter, 'add', { actor, idempotency });
    const reads = jest.spyOn(store, 'readStream');
    // The next command reads the stream's tail after the state it keeps: nothing, as its last
    // append is folded in already.
    await executor.execute('counter-i', counter, 'add', { actor });
    const read = await Promise.all(reads.mock.results.map((result) => result.value));
    expect(read.flat()).toEqual([]);
    // The idempotency read model does not run here: only the kept index of the stream's idempotent
    // events can tell that this is a retry of the first command.
    const retried = await executor.execute('counter-i', counter, 'add', { actor, idempotency });
    expect(retried).toMatchObject({ replayed: true, revision: 0 });
    expect(retried.events[0].id).toBe(first.events[0].id);
    expect(await store.readStream('counter-i')).toHaveLength(2);
  });
});

describe('command executor: the state it decides on', () => {
  /** Each event records how many events its decision saw, and the sum of what they recorded. */
  const witness: Decider<'add', number[], DomainEvent> = {
    initialState: () => [],
    evolve: (seen, event) => [...seen, (event.data as { n: number }).n],
    decide: (_command, seen) => [
      { type: 'Added', data: { n: seen.length, sum: seen.reduce((a, b) => a + b, 0) }, meta },
    ],
  };

  it('holds every event of the stream: its own appends, and another process’s on the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'executor-state-'));
    const file = join(dir, 'events.db');
    const store = new SqliteEventStore(file);
    const db = openReadModelDatabase(join(dir, 'read-model.db'));
    const runner = new ProjectionRunner(store, db, new ReadModelRegistry(db), {
      error: () => undefined,
      warn: () => undefined,
    });
    const executor = new CommandExecutor(store, idempotencyRecords(db), runner, 0);
    try {
      for (let i = 0; i < 3; i++) await executor.execute('w-1', witness, 'add', { actor });
      const other = new SqliteEventStore(file);
      await other.appendToStream(
        'w-1',
        [{ id: randomUUID(), type: 'Added', data: { n: 100, sum: 0 }, metadata: { ...meta } }],
        2,
      );
      await other.dispose();
      await executor.execute('w-1', witness, 'add', { actor });
      await executor.execute('w-1', witness, 'add', { actor });
      expect((await store.readStream('w-1')).map((event) => event.data)).toEqual([
        { n: 0, sum: 0 },
        { n: 1, sum: 0 },
        { n: 2, sum: 1 },
        { n: 100, sum: 0 },
        { n: 4, sum: 103 },
        { n: 5, sum: 107 },
      ]);
    } finally {
      await store.dispose();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('command executor: two attempts of one Idempotency-Key racing', () => {
  it('answers the slower attempt with what the faster one stored, not with its own decision', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'executor-race-'));
    const store = new SqliteEventStore(join(dir, 'events.db'));
    const db = openReadModelDatabase(join(dir, 'read-model.db'));
    const executor = new CommandExecutor(
      store,
      idempotencyRecords(db),
      new ProjectionRunner(store, db, new ReadModelRegistry(db), {
        error: () => undefined,
        warn: () => undefined,
      }),
      0,
    );
    // Each attempt decides its own random id, as a controller does for a key id it generates.
    const randomKey: Decider<string, number, DomainEvent> = {
      initialState: () => 0,
      evolve: (n) => n + 1,
      decide: (requestId) => [
        { type: 'KeyIssued', data: { keyId: `key-${requestId}` }, meta: { ...meta, requestId } },
      ],
    };
    try {
      const idempotency = { key: 'same', fingerprint: 'f' };
      const [a, b] = await Promise.all([
        executor.execute('battery-r', randomKey, 'first', { actor, idempotency }),
        executor.execute('battery-r', randomKey, 'second', { actor, idempotency }),
      ]);
      expect(await store.readStream('battery-r')).toHaveLength(1);
      expect(a.events[0].data).toEqual(b.events[0].data);
      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      await expect(
        executor.execute('battery-r', randomKey, 'third', {
          actor,
          idempotency: { key: 'same', fingerprint: 'other' },
        }),
      ).rejects.toMatchObject({ name: 'IdempotencyKeyReusedError' });
    } finally {
      await store.dispose();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('command executor: a retry that loses the race while the read model lags', () => {
  it('answers from the stream itself (replayed), not with the store error as a 500', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'executor-lag-'));
    const store = new SqliteEventStore(join(dir, 'events.db'));
    const db = openReadModelDatabase(join(dir, 'read-model.db'));
    let raced = false;
    // The faster attempt's append lands between this attempt's read and its append, and the store
    // refuses this attempt's copy of the same ids; the idempotency read model (not running here)
    // never catches up, so only the stream can tell.
    const racingStore = new Proxy(store, {
      get(target, property) {
        if (property === 'appendToStream' && !raced) {
          return async (...args: Parameters<SqliteEventStore['appendToStream']>) => {
            raced = true;
            await target.appendToStream(...args);
            throw new DuplicateEventIdError(args[1][0].id, 'stored by the faster attempt');
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const executor = new CommandExecutor(
      racingStore,
      idempotencyRecords(db),
      new ProjectionRunner(store, db, new ReadModelRegistry(db), {
        error: () => undefined,
        warn: () => undefined,
      }),
      0,
    );
    try {
      const idempotency = { key: 'lagging', fingerprint: 'f' };
      const outcome = await executor.execute('counter-lag', counter, 'add', { actor, idempotency });
      expect(raced).toBe(true);
      expect(outcome).toMatchObject({ replayed: true, revision: 0 });
      expect(await store.readStream('counter-lag')).toHaveLength(1);
    } finally {
      await store.dispose();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
