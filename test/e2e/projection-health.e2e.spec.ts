import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import {
  EVENT_STORE,
  type EventStore,
  type EventSubscription,
} from '../../src/event-store/event-store.port';
import { HealthController } from '../../src/health/health.controller';
import {
  PROJECTION_HEALTH_OPTIONS,
  PROJECTION_STALL_AFTER_MS,
  type ProjectionHealthOptions,
} from '../../src/read-model/projection-health';
import { ProjectionRunner } from '../../src/read-model/projection-runner';
import { openReadModelDatabase } from '../../src/read-model/read-model.database';
import { ReadModelRegistry } from '../../src/read-model/read-model-registry';

/** A subscription that delivers nothing until closed: what a runner sees whose store stopped feeding it. */
function silentSubscription(): EventSubscription {
  let close: () => void = () => undefined;
  const closed = new Promise<IteratorResult<never>>(
    (resolve) => (close = () => resolve({ done: true, value: undefined })),
  );
  return { close: async () => close(), [Symbol.asyncIterator]: () => ({ next: () => closed }) };
}

/** The store, except that subscriptions go silent (`stall`) or fail (`fail`) — the seam is the port. */
function storeWhose(store: EventStore, subscriptions: 'stall' | 'fail' | 'work'): EventStore {
  return Object.assign(Object.create(store) as EventStore, {
    subscribeToAll: (...args: Parameters<EventStore['subscribeToAll']>) => {
      if (subscriptions === 'fail')
        throw new Error('SqliteError: UNIQUE constraint failed: parties.party_id');
      return subscriptions === 'stall' ? silentSubscription() : store.subscribeToAll(...args);
    },
  });
}

/** /health answers 503 when the read model stopped, failed, or stands still behind the store. */
describe('health of the projections', () => {
  let dir: string;
  let store: SqliteEventStore;
  let db: Database.Database;
  let runner: ProjectionRunner;
  let app: NestFastifyApplication;
  let clockShiftMs: number;
  const logged: string[] = [];

  async function boot(subscriptions: 'stall' | 'fail' | 'work') {
    dir = mkdtempSync(join(tmpdir(), 'battery-keys-health-'));
    store = new SqliteEventStore(join(dir, 'events.db'), { pollIntervalMs: 20 });
    db = openReadModelDatabase(join(dir, 'read-model.db'));
    const seen = storeWhose(store, subscriptions);
    const followed = new ReadModelRegistry(db);
    followed.follow(['party-']);
    runner = new ProjectionRunner(seen, db, followed, {
      error: (message) => logged.push(message),
      warn: (message) => logged.push(message),
    });
    clockShiftMs = 0;
    const options: ProjectionHealthOptions = {
      stallAfterMs: PROJECTION_STALL_AFTER_MS,
      now: () => new Date(Date.now() + clockShiftMs),
    };
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule],
      controllers: [HealthController],
      providers: [
        { provide: EVENT_STORE, useValue: seen },
        { provide: ProjectionRunner, useValue: runner },
        { provide: PROJECTION_HEALTH_OPTIONS, useValue: options },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    runner.start();
  }

  afterEach(async () => {
    await runner.stop();
    await app.close();
    db.close();
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const health = async () => {
    const response = await app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'GET', url: '/health' });
    return { status: response.statusCode, body: response.json(), text: response.body };
  };
  const append = () =>
    store.appendToStream(
      `party-${randomUUID()}`,
      [{ id: randomUUID(), type: 'PartyRegistered', data: {}, metadata: {} }],
      'no_stream',
    );
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(condition()).toBe(true);
  };

  it('stays 200 while a runner that does not advance has nothing to apply, and turns 503 once it stands still behind the store for the bound', async () => {
    await boot('stall');
    await until(() => runner.currentStatus().running);
    clockShiftMs = 10 * PROJECTION_STALL_AFTER_MS;
    expect(await health()).toMatchObject({
      status: 200,
      body: { details: { projections: { status: 'up', position: '0' } } },
    });

    await append();
    clockShiftMs = 0;
    expect((await health()).status).toBe(200); // behind, but only just
    clockShiftMs = PROJECTION_STALL_AFTER_MS + 1000;
    const stalled = await health();
    expect(stalled.status).toBe(503);
    expect(stalled.body.details).toMatchObject({
      eventStore: { status: 'up', head: '1' },
      projections: {
        status: 'down',
        position: '0',
        problem: expect.stringMatching(
          /^projection stalled since \d{4}-\d\d-\d\dT[\d:.]+Z: the store holds events it has not applied$/,
        ),
      },
    });
  });

  it('stays 200 for a runner that keeps up, however long it has been since it last moved', async () => {
    await boot('work');
    await append();
    await until(() => runner.currentStatus().position === 1n);
    clockShiftMs = 10 * PROJECTION_STALL_AFTER_MS;
    expect(await health()).toMatchObject({
      status: 200,
      body: {
        details: { eventStore: { head: '1' }, projections: { status: 'up', position: '1' } },
      },
    });
  });

  it('answers 503 for a runner that failed, without the error text, and for one that stopped', async () => {
    await boot('fail');
    await until(() => runner.currentStatus().lastErrorAt !== undefined);
    const failed = await health();
    expect(failed.status).toBe(503);
    expect(failed.body.details.projections).toMatchObject({
      status: 'down',
      problem: expect.stringMatching(/^projection stopped by a failure at \S+; resubscribing$/),
    });
    expect(failed.text).not.toMatch(/UNIQUE|SqliteError|constraint/);
    expect(logged.some((line) => line.includes('Projection stopped'))).toBe(true); // the log keeps the detail

    await runner.stop();
    expect((await health()).status).toBe(503);
  });
});
