import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HistoryRewriteKind } from '../../src/signing/history-integrity';
import { HistoryIntegrity } from '../../src/signing/history-integrity';
import { IntegrityGatedSigner } from '../../src/signing/integrity-gated-signer';
import { LocalKeySigner } from '../../src/signing/local-key-signer';
import { toProblem } from '../../src/http/problem-details.filter';
import { issueKey, provision, registerCast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { checkpointOf, eventsInStore } from './support';

/** The leaf index of the event at `position`: every row of events.db is a leaf, in position order. */
const leafAt = (db: Database.Database, position: number) =>
  db
    .prepare<[number], { n: number }>('SELECT count(*) AS n FROM events WHERE position < ?')
    .get(position)!.n;

interface Tampering {
  name: string;
  /** Rewrites events.db; answers the leaf index and position the service must name. */
  rewrite(
    db: Database.Database,
    positions: number[],
  ): { leafIndex: number; position: number | null };
  kind: HistoryRewriteKind;
}

const TAMPERINGS: Tampering[] = [
  {
    name: "an edited row's data",
    kind: 'edited',
    rewrite(db, positions) {
      const position = positions[5];
      db.prepare("UPDATE events SET data = json_set(data, '$.tampered', 1) WHERE position = ?").run(
        position,
      );
      return { leafIndex: leafAt(db, position), position };
    },
  },
  {
    name: 'a deleted row',
    kind: 'missing',
    rewrite(db, positions) {
      const position = positions[4];
      const leafIndex = leafAt(db, position);
      db.prepare('DELETE FROM events WHERE position = ?').run(position);
      return { leafIndex, position };
    },
  },
  {
    name: "two rows' contents swapped",
    kind: 'reordered',
    rewrite(db, positions) {
      const [first, second] = [positions[1], positions[positions.length - 2]];
      const read = db.prepare<[number], Record<string, unknown>>(
        'SELECT event_id, stream_id, revision, type, data, metadata FROM events WHERE position = ?',
      );
      const a = read.get(first);
      const b = read.get(second);
      if (!a || !b) throw new Error(`no rows at ${first} and ${second}`);
      const write = db.prepare(
        'UPDATE events SET event_id = @event_id, stream_id = @stream_id, revision = @revision, type = @type, data = @data, metadata = @metadata WHERE position = @target',
      );
      db.transaction(() => {
        // Through a placeholder: event ids and (stream, revision) are unique.
        write.run({ ...a, event_id: 'tmp', revision: -1, target: first });
        write.run({ ...a, target: second });
        write.run({ ...b, target: first });
      })();
      return { leafIndex: leafAt(db, first), position: first };
    },
  },
  {
    name: 'an event slipped in between two recorded ones',
    kind: 'inserted',
    rewrite(db, positions) {
      // A backdated copy of a recorded event under a new id, at the position after positions[3]:
      // every later row moves up by one, as if the store had always held it there.
      const [before, displaced] = [positions[3], positions[4]];
      const leafIndex = leafAt(db, displaced);
      const row = db
        .prepare<[number], Record<string, unknown>>('SELECT * FROM events WHERE position = ?')
        .get(before);
      if (!row) throw new Error(`no row at ${before}`);
      const offset = 1_000_000_000;
      db.transaction(() => {
        // Two steps: moving each row up by one in place would collide with the next.
        db.prepare('UPDATE events SET position = position + ? WHERE position > ?').run(
          offset,
          before,
        );
        db.prepare('UPDATE events SET position = position - ? WHERE position > ?').run(
          offset - 1,
          offset,
        );
        db.prepare(
          'INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, recorded_at) ' +
            'VALUES (@position, @event_id, @stream_id, @revision, @type, @data, @metadata, @recorded_at)',
        ).run({ ...row, position: before + 1, event_id: randomUUID(), revision: 999_999 });
      })();
      // The first leaf that no longer comes out is the one recorded for the displaced event.
      return { leafIndex, position: displaced };
    },
  },
  {
    name: 'a truncated store',
    kind: 'truncated',
    rewrite(db, positions) {
      const keep = positions[positions.length - 3];
      db.prepare('DELETE FROM events WHERE position > ?').run(keep);
      return { leafIndex: leafAt(db, keep) + 1, position: positions[positions.length - 2] };
    },
  },
];

describe('Tamper detection on the embedded store', () => {
  let seedDir: string;
  let size: number;

  beforeAll(async () => {
    const seed = await TestApp.start({ AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100' });
    const cast = await registerCast(seed);
    await provision(seed, cast, 'SN-TAMPER-1');
    await issueKey(seed, cast.ownerA, 'SN-TAMPER-1', { personId: 'alice', partyId: 'lessor-a' }, [
      'unlock',
    ]);
    size = eventsInStore(seed.dataDir);
    await checkpointOf(seed, size);
    await seed.stop({ keepData: true });
    seedDir = seed.dataDir;
  }, 60_000);
  afterAll(() => rmSync(seedDir, { recursive: true, force: true }));

  it.each(TAMPERINGS)(
    'detects $name, names the first leaf and its position, and stops signing',
    async (tampering) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'audit-log-tamper-'));
      cpSync(seedDir, dataDir, { recursive: true });
      const db = new Database(join(dataDir, 'events.db'));
      const positions = db
        .prepare<[], { position: number }>('SELECT position FROM events ORDER BY position')
        .all()
        .map((r) => r.position);
      const expected = tampering.rewrite(db, positions);
      db.close();

      const app = await TestApp.start({ AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100' }, dataDir);
      try {
        let ready = await app.request('GET', '/health/ready');
        for (let i = 0; i < 100 && ready.status !== 503; i++) {
          await sleep(50);
          ready = await app.request('GET', '/health/ready');
        }
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({
          error: {
            auditLog: {
              status: 'down',
              reason: 'history-rewritten',
              kind: tampering.kind,
              leafIndex: expected.leafIndex,
              position: expected.position === null ? null : String(expected.position),
            },
          },
        });
        expect((await app.request('GET', '/health/live')).status).toBe(200);
        // No checkpoint is signed over the rewritten store: the newest is still the one from before.
        await sleep(300);
        const { checkpoint } = await checkpointOf(app, 0);
        expect(checkpoint.size).toBe(size);
      } finally {
        await app.stop();
      }
    },
    60_000,
  );
});

describe('The history-integrity gate in the bundle signing path', () => {
  it('signs while the history is intact, and refuses with 503 history-rewritten once it is not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-log-gate-'));
    try {
      const integrity = new HistoryIntegrity();
      const signer = new IntegrityGatedSigner(await LocalKeySigner.loadOrCreate(dir), integrity);
      await expect(signer.sign({ sub: 'SN-1' }, 'battery-keys+jwt')).resolves.toMatch(/^ey/);
      integrity.markRewritten({
        kind: 'edited',
        leafIndex: 7,
        position: '8',
        detail: 'edited',
        detectedAt: new Date().toISOString(),
      });
      // Later "intact" verdicts do not clear it: only an operator does, by restarting on a good store.
      integrity.markIntact(10);
      const refusal = await signer
        .sign({ sub: 'SN-1' }, 'battery-keys+jwt')
        .catch((error: unknown) => error);
      expect(toProblem(refusal)).toMatchObject({
        status: 503,
        code: 'history-rewritten',
        headers: { 'retry-after': '300' },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
