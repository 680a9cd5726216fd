import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../event-store/embedded/sqlite-event-store';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import { openReadModelDatabase, readCheckpoint } from './read-model.database';
import { nameCheckpointEvent, seedReadModel, StoreUnreachable } from './read-model-seed';
import { isSnapshot, snapshotReadModel } from './read-model-snapshot';

/**
 * Given a store and an instance's read model, when a snapshot of it seeds another instance, then
 * the new instance starts at the snapshot's checkpoint only where that checkpoint is an event of
 * its own store; everything else leaves it to replay the store from the start.
 */
describe('read-model snapshots and seeds', () => {
  let dir: string;
  let store: SqliteEventStore;
  let events: RecordedEvent[];
  const warnings: string[] = [];
  const logger = { log: () => undefined, warn: (message: string) => warnings.push(message) };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-seed-'));
    mkdirSync(join(dir, 'instance'));
    store = new SqliteEventStore(join(dir, 'events.db'));
    for (let n = 0; n < 5; n++) await store.appendToStream(`battery-SN-${n}`, [newEvent()], 'any');
    events = await store.readAll();
    warnings.length = 0;
  });
  afterEach(async () => {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A read model (its own file) whose projections applied the store up to `event`, with a row of its own. */
  function readModelAt(event: RecordedEvent, file = join(dir, `rm-${randomUUID()}.db`)): string {
    const db = openReadModelDatabase(file);
    db.exec('CREATE TABLE IF NOT EXISTS facts (fact TEXT)');
    db.prepare('INSERT INTO facts VALUES (?)').run(`applied up to ${event.position}`);
    db.prepare('INSERT INTO checkpoint (id, position, event_id) VALUES (1, ?, ?)').run(
      event.position,
      event.id,
    );
    db.close();
    return file;
  }

  function factsOf(file: string): string[] {
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare<[], { fact: string }>('SELECT fact FROM facts')
        .all()
        .map((row) => row.fact);
    } finally {
      db.close();
    }
  }

  const target = () => join(dir, 'instance', 'read-model.db');
  const seedInto = (seed: string | undefined, from: Pick<EventStore, 'readAll'> = store) =>
    seedReadModel({ target: target(), seed, store: from, logger });

  describe('snapshotReadModel', () => {
    it('copies the read model with its checkpoint, marked as a snapshot', () => {
      const source = readModelAt(events[2]);
      const { checkpoint, bytes } = snapshotReadModel(source, join(dir, 'snap.db'));
      expect(checkpoint).toEqual({ position: events[2].position, eventId: events[2].id });
      expect(bytes).toBeGreaterThan(0);
      const copy = new Database(join(dir, 'snap.db'), { readonly: true });
      expect(isSnapshot(copy)).toBe(true);
      expect(readCheckpoint(copy)).toEqual(checkpoint);
      copy.close();
      expect(factsOf(join(dir, 'snap.db'))).toEqual([`applied up to ${events[2].position}`]);
    });

    it('holds what was committed when it was made, not what the open instance writes after', () => {
      const source = readModelAt(events[1]);
      // The instance has the read model open (WAL) while the snapshot is made from another connection.
      const live = openReadModelDatabase(source);
      snapshotReadModel(source, join(dir, 'snap.db'));
      live.prepare('INSERT INTO facts VALUES (?)').run('after the snapshot');
      live
        .prepare('UPDATE checkpoint SET position = ?, event_id = ?')
        .run(events[4].position, events[4].id);
      live.close();
      expect(factsOf(join(dir, 'snap.db'))).toEqual([`applied up to ${events[1].position}`]);
      const copy = new Database(join(dir, 'snap.db'), { readonly: true });
      expect(readCheckpoint(copy)?.position).toBe(events[1].position);
      copy.close();
    });

    it('replaces an older snapshot only once the new one is complete', () => {
      snapshotReadModel(readModelAt(events[1]), join(dir, 'snap.db'));
      snapshotReadModel(readModelAt(events[3]), join(dir, 'snap.db'));
      expect(factsOf(join(dir, 'snap.db'))).toEqual([`applied up to ${events[3].position}`]);
      expect(readdirSync(dir).filter((name) => name.includes('partial'))).toEqual([]);
    });

    it('refuses a read model that applied nothing, or whose checkpoint names no event, and leaves no file', () => {
      const empty = join(dir, 'empty.db');
      openReadModelDatabase(empty).close();
      expect(() => snapshotReadModel(empty, join(dir, 'snap.db'))).toThrow(/applied no event/);
      const legacy = readModelAt(events[2]);
      const db = new Database(legacy);
      db.exec('UPDATE checkpoint SET event_id = NULL');
      db.close();
      expect(() => snapshotReadModel(legacy, join(dir, 'snap.db'))).toThrow(
        /does not name the event/,
      );
      expect(() => snapshotReadModel(join(dir, 'missing.db'), join(dir, 'snap.db'))).toThrow(
        /No read model/,
      );
      expect(existsSync(join(dir, 'snap.db'))).toBe(false);
      expect(existsSync(join(dir, 'snap.db.partial'))).toBe(false);
    });
  });

  describe('seedReadModel', () => {
    it('starts an instance without a read model at the snapshot, unmarked', async () => {
      snapshotReadModel(readModelAt(events[3]), join(dir, 'snap.db'));
      const outcome = await seedInto(join(dir, 'snap.db'));
      expect(outcome).toEqual({
        seeded: true,
        checkpoint: { position: events[3].position, eventId: events[3].id },
      });
      expect(factsOf(target())).toEqual([`applied up to ${events[3].position}`]);
      const db = new Database(target(), { readonly: true });
      expect(isSnapshot(db)).toBe(false);
      db.close();
      // The snapshot itself stays as it was, for the next instance.
      expect(factsOf(join(dir, 'snap.db'))).toHaveLength(1);
      expect(existsSync(`${target()}.seeding`)).toBe(false);
      expect(warnings).toEqual([]);
    });

    it('replaces a read model that never applied an event (an instance that stopped at once)', async () => {
      openReadModelDatabase(target()).close();
      snapshotReadModel(readModelAt(events[3]), join(dir, 'snap.db'));
      expect((await seedInto(join(dir, 'snap.db'))).seeded).toBe(true);
      expect(factsOf(target())).toHaveLength(1);
    });

    it("keeps an instance's own read model, seed or not", async () => {
      readModelAt(events[1], target());
      snapshotReadModel(readModelAt(events[4]), join(dir, 'snap.db'));
      expect(await seedInto(join(dir, 'snap.db'))).toEqual({ seeded: false, reason: 'has-own' });
      expect(factsOf(target())).toEqual([`applied up to ${events[1].position}`]);
    });

    it('does nothing without a seed', async () => {
      expect(await seedInto(undefined)).toEqual({ seeded: false, reason: 'no-seed' });
      expect(existsSync(target())).toBe(false);
    });

    it("refuses a snapshot of another store's read model, whose checkpoint is not an event of this store", async () => {
      const other = readModelAt({ ...events[3], id: randomUUID() });
      snapshotReadModel(other, join(dir, 'other.db'));
      expect(await seedInto(join(dir, 'other.db'))).toEqual({ seeded: false, reason: 'refused' });
      expect(warnings.join()).toMatch(/is not in this event store/);
      expect(existsSync(target())).toBe(false);
      expect(existsSync(`${target()}.seeding`)).toBe(false);
    });

    it('refuses a snapshot ahead of this store (a store restored from an older backup)', async () => {
      const ahead = readModelAt({ ...events[4], position: events[4].position + 10n });
      snapshotReadModel(ahead, join(dir, 'ahead.db'));
      expect((await seedInto(join(dir, 'ahead.db'))).seeded).toBe(false);
      expect(warnings.join()).toMatch(/is not in this event store/);
    });

    it('refuses a read-model file copied as it was, not made by the snapshot command', async () => {
      const raw = readModelAt(events[3]);
      expect((await seedInto(raw)).seeded).toBe(false);
      expect(warnings.join()).toMatch(/not made by `npm run read-model-snapshot`/);
      expect(existsSync(target())).toBe(false);
    });

    it('refuses a snapshot whose checkpoint names no event, a file that is no database, and a missing file', async () => {
      snapshotReadModel(readModelAt(events[3]), join(dir, 'snap.db'));
      const db = new Database(join(dir, 'snap.db'));
      db.exec('UPDATE checkpoint SET event_id = NULL');
      db.close();
      writeFileSync(join(dir, 'garbage.db'), 'not a database at all, but long enough to be read');
      for (const seed of ['snap.db', 'garbage.db', 'missing.db'])
        expect(await seedInto(join(dir, seed))).toEqual({ seeded: false, reason: 'refused' });
      expect(warnings).toEqual([
        expect.stringMatching(/does not name its event/),
        expect.stringMatching(/garbage\.db not used: file is not a database/),
        expect.stringMatching(/missing\.db not used: no such file/),
      ]);
      expect(existsSync(target())).toBe(false);
      expect(readdirSync(join(dir, 'instance'))).toEqual([]);
    });

    it('fails the start, and keeps nothing, when the store cannot be read to check the seed', async () => {
      snapshotReadModel(readModelAt(events[3]), join(dir, 'snap.db'));
      const away = { readAll: () => Promise.reject(new Error('connection refused')) };
      await expect(seedInto(join(dir, 'snap.db'), away)).rejects.toThrow(StoreUnreachable);
      await expect(seedInto(join(dir, 'snap.db'), away)).rejects.toThrow(/connection refused/);
      expect(readdirSync(join(dir, 'instance'))).toEqual([]);
      // The snapshot is still there for the next start.
      expect((await seedInto(join(dir, 'snap.db'))).seeded).toBe(true);
    });
  });

  describe('nameCheckpointEvent', () => {
    it("names the event at a checkpoint written before checkpoints named theirs, and only that event's", async () => {
      const file = readModelAt(events[2]);
      const db = openReadModelDatabase(file);
      db.exec('UPDATE checkpoint SET event_id = NULL');
      await nameCheckpointEvent(db, store);
      expect(readCheckpoint(db)).toEqual({ position: events[2].position, eventId: events[2].id });

      db.prepare('UPDATE checkpoint SET position = ?, event_id = NULL').run(
        events[4].position + 10n,
      );
      await nameCheckpointEvent(db, store);
      expect(readCheckpoint(db)?.eventId).toBeUndefined();
      await nameCheckpointEvent(db, { readAll: () => Promise.reject(new Error('away')) });
      expect(readCheckpoint(db)?.eventId).toBeUndefined();
      db.close();
    });
  });
});

function newEvent() {
  return { id: randomUUID(), type: 'Noted', data: { n: 1 }, metadata: {} };
}
