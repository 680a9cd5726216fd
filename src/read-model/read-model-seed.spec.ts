import Database from 'better-sqlite3';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { SqliteEventStore } from '../event-store/embedded/sqlite-event-store';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import { openReadModelDatabase, readCheckpoint } from './read-model.database';
import {
  nameCheckpointEvent,
  SEEDED_FROM,
  seedReadModel,
  StoreUnreachable,
} from './read-model-seed';
import { isSnapshot, snapshotReadModel } from './read-model-snapshot';
import {
  createSnapshotSigningKey,
  loadSnapshotSigningKey,
  loadSnapshotVerifyingKeys,
  signatureFileOf,
  signSnapshot,
  SNAPSHOT_SIGNATURE_TYPE,
} from './snapshot-signature';

const snapshotKey = generateKeyPairSync('ed25519');
const otherKey = generateKeyPairSync('ed25519');

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
  const seedInto = (
    seed: string | undefined,
    from: Pick<EventStore, 'readAll'> = store,
    publicKeys: readonly KeyObject[] = [snapshotKey.publicKey],
  ) => seedReadModel({ target: target(), seed, publicKeys, store: from, logger });
  /** The snapshot command, signing with the operators' key. */
  const snapshot = (source: string, to: string, key = snapshotKey.privateKey) =>
    snapshotReadModel(source, to, key);
  /** Signs a snapshot as it now is, naming `event` as its checkpoint: an edit made by the key's holder. */
  const resign = async (file: string, event: RecordedEvent) =>
    writeFileSync(
      signatureFileOf(file),
      await signSnapshot(
        file,
        { position: event.position, eventId: event.id },
        snapshotKey.privateKey,
      ),
    );

  describe('snapshotReadModel', () => {
    it('copies the read model with its checkpoint, marked as a snapshot and signed', async () => {
      const source = readModelAt(events[2]);
      const { checkpoint, bytes, signatureFile } = await snapshot(source, join(dir, 'snap.db'));
      expect(checkpoint).toEqual({ position: events[2].position, eventId: events[2].id });
      expect(bytes).toBeGreaterThan(0);
      const copy = new Database(join(dir, 'snap.db'), { readonly: true });
      expect(isSnapshot(copy)).toBe(true);
      expect(readCheckpoint(copy)).toEqual(checkpoint);
      copy.close();
      expect(factsOf(join(dir, 'snap.db'))).toEqual([`applied up to ${events[2].position}`]);
      expect(signatureFile).toBe(join(dir, 'snap.db.jws'));
      const [header, payload] = readFileSync(signatureFile, 'utf8').trim().split('.');
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
        alg: 'EdDSA',
        typ: SNAPSHOT_SIGNATURE_TYPE,
      });
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({
        sha256: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        bytes: statSync(join(dir, 'snap.db')).size,
        position: events[2].position.toString(),
        eventId: events[2].id,
        madeAt: expect.any(String),
      });
    });

    it('holds what was committed when it was made, not what the open instance writes after', async () => {
      const source = readModelAt(events[1]);
      // The instance has the read model open (WAL) while the snapshot is made from another connection.
      const live = openReadModelDatabase(source);
      await snapshot(source, join(dir, 'snap.db'));
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

    it('replaces an older snapshot, and its signature, only once the new one is complete', async () => {
      await snapshot(readModelAt(events[1]), join(dir, 'snap.db'));
      await snapshot(readModelAt(events[3]), join(dir, 'snap.db'));
      expect(factsOf(join(dir, 'snap.db'))).toEqual([`applied up to ${events[3].position}`]);
      expect(readdirSync(dir).filter((name) => name.includes('partial'))).toEqual([]);
      expect((await seedInto(join(dir, 'snap.db'))).seeded).toBe(true);
    });

    it('refuses a read model that applied nothing, or whose checkpoint names no event, and leaves no file', async () => {
      const empty = join(dir, 'empty.db');
      openReadModelDatabase(empty).close();
      await expect(snapshot(empty, join(dir, 'snap.db'))).rejects.toThrow(/applied no event/);
      const legacy = readModelAt(events[2]);
      const db = new Database(legacy);
      db.exec('UPDATE checkpoint SET event_id = NULL');
      db.close();
      await expect(snapshot(legacy, join(dir, 'snap.db'))).rejects.toThrow(
        /does not name the event/,
      );
      await expect(snapshot(join(dir, 'missing.db'), join(dir, 'snap.db'))).rejects.toThrow(
        /No read model/,
      );
      expect(readdirSync(dir).filter((name) => name.startsWith('snap.db'))).toEqual([]);
    });
  });

  describe('seedReadModel', () => {
    it('starts an instance without a read model at the snapshot, unmarked, saying where it came from', async () => {
      await snapshot(readModelAt(events[3]), join(dir, 'snap.db'));
      const outcome = await seedInto(join(dir, 'snap.db'));
      expect(outcome).toEqual({
        seeded: true,
        checkpoint: { position: events[3].position, eventId: events[3].id },
      });
      expect(factsOf(target())).toEqual([`applied up to ${events[3].position}`]);
      const db = new Database(target(), { readonly: true });
      expect(isSnapshot(db)).toBe(false);
      const seededFrom = db
        .prepare<[string], { value: string }>('SELECT value FROM read_model_meta WHERE key = ?')
        .get(SEEDED_FROM);
      expect(JSON.parse(seededFrom?.value ?? '{}')).toMatchObject({
        snapshot: join(dir, 'snap.db'),
      });
      db.close();
      // The snapshot itself stays as it was, for the next instance.
      expect(factsOf(join(dir, 'snap.db'))).toHaveLength(1);
      expect(existsSync(`${target()}.seeding`)).toBe(false);
      expect(warnings).toEqual([]);
    });

    it('replaces a read model that never applied an event (an instance that stopped at once)', async () => {
      openReadModelDatabase(target()).close();
      await snapshot(readModelAt(events[3]), join(dir, 'snap.db'));
      expect((await seedInto(join(dir, 'snap.db'))).seeded).toBe(true);
      expect(factsOf(target())).toHaveLength(1);
    });

    it("keeps an instance's own read model, seed or not", async () => {
      readModelAt(events[1], target());
      await snapshot(readModelAt(events[4]), join(dir, 'snap.db'));
      expect(await seedInto(join(dir, 'snap.db'))).toEqual({ seeded: false, reason: 'has-own' });
      expect(factsOf(target())).toEqual([`applied up to ${events[1].position}`]);
    });

    it('does nothing without a seed', async () => {
      expect(await seedInto(undefined)).toEqual({ seeded: false, reason: 'no-seed' });
      expect(existsSync(target())).toBe(false);
    });

    it("refuses a snapshot of another store's read model, whose checkpoint is not an event of this store", async () => {
      const other = readModelAt({ ...events[3], id: randomUUID() });
      await snapshot(other, join(dir, 'other.db'));
      expect(await seedInto(join(dir, 'other.db'))).toEqual({ seeded: false, reason: 'refused' });
      expect(warnings.join()).toMatch(/is not in this event store/);
      expect(existsSync(target())).toBe(false);
      expect(existsSync(`${target()}.seeding`)).toBe(false);
    });

    it('refuses a snapshot ahead of this store (a store restored from an older backup)', async () => {
      const ahead = readModelAt({ ...events[4], position: events[4].position + 10n });
      await snapshot(ahead, join(dir, 'ahead.db'));
      expect((await seedInto(join(dir, 'ahead.db'))).seeded).toBe(false);
      expect(warnings.join()).toMatch(/is not in this event store/);
    });

    it('refuses a read-model file copied as it was, not made by the snapshot command, even signed', async () => {
      const raw = readModelAt(events[3]);
      await resign(raw, events[3]);
      expect((await seedInto(raw)).seeded).toBe(false);
      expect(warnings.join()).toMatch(/not made by `npm run read-model-snapshot`/);
      expect(existsSync(target())).toBe(false);
    });

    it('refuses a signed snapshot whose checkpoint names no event, a file that is no database, and a missing file', async () => {
      await snapshot(readModelAt(events[3]), join(dir, 'snap.db'));
      const db = new Database(join(dir, 'snap.db'));
      db.exec('UPDATE checkpoint SET event_id = NULL');
      db.close();
      await resign(join(dir, 'snap.db'), events[3]);
      writeFileSync(join(dir, 'garbage.db'), 'not a database at all, but long enough to be read');
      await resign(join(dir, 'garbage.db'), events[3]);
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

    describe('its signature', () => {
      const seedFile = () => join(dir, 'snap.db');
      const refusedFor = async (why: RegExp) => {
        expect(await seedInto(seedFile())).toEqual({ seeded: false, reason: 'refused' });
        expect(warnings).toEqual([expect.stringMatching(why)]);
        expect(readdirSync(join(dir, 'instance'))).toEqual([]);
      };
      beforeEach(async () => {
        await snapshot(readModelAt(events[3]), seedFile());
      });

      it('refuses a snapshot edited where it is kept (a row changed after it was signed)', async () => {
        // The attack: whoever can write the snapshots' bucket gives a battery a key of their own.
        const db = new Database(seedFile());
        db.prepare('INSERT INTO facts VALUES (?)').run('a key of the attacker');
        db.close();
        await refusedFor(/not the file its signature covers/);
      });

      it('refuses a snapshot without its signature', async () => {
        rmSync(signatureFileOf(seedFile()));
        await refusedFor(/has no signature beside it/);
      });

      it('refuses a snapshot signed with another key', async () => {
        await snapshot(readModelAt(events[3]), seedFile(), otherKey.privateKey);
        await refusedFor(/does not verify with READ_MODEL_SEED_PUBLIC_KEY_FILE/);
      });

      it('refuses a signature whose claims were edited', async () => {
        const [header, payload, signature] = readFileSync(signatureFileOf(seedFile()), 'utf8')
          .trim()
          .split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
        const edited = Buffer.from(JSON.stringify({ ...claims, bytes: claims.bytes + 1 }));
        writeFileSync(
          signatureFileOf(seedFile()),
          [header, edited.toString('base64url'), signature].join('.'),
        );
        await refusedFor(/does not verify/);
      });

      it("refuses another snapshot's signature (a valid signature moved beside another file)", async () => {
        await snapshot(readModelAt(events[1]), join(dir, 'older.db'));
        copyFileSync(join(dir, 'older.db.jws'), signatureFileOf(seedFile()));
        await refusedFor(/not the file its signature covers/);
      });

      it('refuses a JWS of the right key made for something else (another typ)', async () => {
        const other = await new CompactSign(Buffer.from('{}'))
          .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
          .sign(snapshotKey.privateKey);
        writeFileSync(signatureFileOf(seedFile()), other);
        await refusedFor(/not a snapshot signature/);
      });

      it('refuses a signature that names another checkpoint than the snapshot holds', async () => {
        await resign(seedFile(), events[1]);
        await refusedFor(/not the one its signature names/);
      });

      describe('replaced while an instance copies it', () => {
        /** The seed with a copy that runs `during` just before its first copy, and counts copies. */
        const seedWhile = async (during: () => Promise<void> | void) => {
          let copies = 0;
          const outcome = await seedReadModel({
            target: target(),
            seed: seedFile(),
            publicKeys: [snapshotKey.publicKey],
            store,
            logger,
            copyFile: async (from, to) => {
              if (copies++ === 0) await during();
              copyFileSync(from, to);
            },
          });
          return { outcome, copies };
        };

        it('copies the new snapshot again when the signature it read was the old one', async () => {
          // Read the old signature, then the command renamed the new snapshot and its signature in.
          const { outcome, copies } = await seedWhile(() =>
            snapshot(readModelAt(events[4]), seedFile()).then(() => undefined),
          );
          expect(copies).toBe(2);
          expect(outcome).toEqual({
            seeded: true,
            checkpoint: { position: events[4].position, eventId: events[4].id },
          });
          expect(factsOf(target())).toEqual([`applied up to ${events[4].position}`]);
          expect(warnings).toEqual([]);
        });

        it('refuses a snapshot whose signature never follows (the command stopped between its renames)', async () => {
          const replacement = join(dir, 'replacement.db');
          const { outcome, copies } = await seedWhile(async () => {
            await snapshot(readModelAt(events[4]), replacement);
            renameSync(replacement, seedFile());
          });
          // Copied again once; the second copy's pair did not change while it was made: refused.
          expect(copies).toBe(2);
          expect(outcome).toEqual({ seeded: false, reason: 'refused' });
          expect(warnings).toEqual([expect.stringMatching(/not the file its signature covers/)]);
          expect(readdirSync(join(dir, 'instance'))).toEqual([]);
        });

        it('copies an edited snapshot once: nothing was replaced, so nothing is tried again', async () => {
          const { outcome, copies } = await seedWhile(() => {
            const db = new Database(seedFile());
            db.prepare('INSERT INTO facts VALUES (?)').run('a key of the attacker');
            db.close();
          });
          expect(copies).toBe(1);
          expect(outcome).toEqual({ seeded: false, reason: 'refused' });
        });
      });

      it('refuses every seed when no public key was given', async () => {
        expect(await seedInto(seedFile(), store, [])).toEqual({
          seeded: false,
          reason: 'refused',
        });
        expect(warnings).toEqual([expect.stringMatching(/no public key/)]);
      });
    });

    it('fails the start, and keeps nothing, when the store cannot be read to check the seed', async () => {
      await snapshot(readModelAt(events[3]), join(dir, 'snap.db'));
      const away = { readAll: () => Promise.reject(new Error('connection refused')) };
      await expect(seedInto(join(dir, 'snap.db'), away)).rejects.toThrow(StoreUnreachable);
      await expect(seedInto(join(dir, 'snap.db'), away)).rejects.toThrow(/connection refused/);
      expect(readdirSync(join(dir, 'instance'))).toEqual([]);
      // The snapshot is still there for the next start.
      expect((await seedInto(join(dir, 'snap.db'))).seeded).toBe(true);
    });
  });

  describe('snapshot keys', () => {
    it('makes a key pair once, the private half readable by its owner only', () => {
      const file = join(dir, 'key.pem');
      expect(createSnapshotSigningKey(file)).toEqual({ publicKeyFile: `${file}.pub` });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(loadSnapshotSigningKey(file).asymmetricKeyType).toBe('ed25519');
      expect(loadSnapshotVerifyingKeys(`${file}.pub`).map((key) => key.type)).toEqual(['public']);
      const before = readFileSync(file, 'utf8');
      expect(() => createSnapshotSigningKey(file)).toThrow(/never overwritten/);
      expect(readFileSync(file, 'utf8')).toBe(before);
    });

    it('trusts any of several public keys, for a change of signing key', async () => {
      await snapshot(readModelAt(events[3]), join(dir, 'snap.db'), otherKey.privateKey);
      expect((await seedInto(join(dir, 'snap.db'))).seeded).toBe(false);
      const both = [snapshotKey.publicKey, otherKey.publicKey]
        .map((key) => key.export({ format: 'pem', type: 'spki' }))
        .join('');
      writeFileSync(join(dir, 'both.pub'), both);
      const keys = loadSnapshotVerifyingKeys(join(dir, 'both.pub'));
      expect(keys).toHaveLength(2);
      expect((await seedInto(join(dir, 'snap.db'), store, keys)).seeded).toBe(true);
    });

    it('takes only Ed25519, and no private key where the public one belongs', () => {
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(join(dir, 'ec.pub'), ec.publicKey.export({ format: 'pem', type: 'spki' }));
      writeFileSync(join(dir, 'ec.pem'), ec.privateKey.export({ format: 'pem', type: 'pkcs8' }));
      expect(() => loadSnapshotVerifyingKeys(join(dir, 'ec.pub'))).toThrow(
        /an ec key, not Ed25519/,
      );
      expect(() => loadSnapshotSigningKey(join(dir, 'ec.pem'))).toThrow(/an ec key, not Ed25519/);
      createSnapshotSigningKey(join(dir, 'key.pem'));
      expect(() => loadSnapshotVerifyingKeys(join(dir, 'key.pem'))).toThrow(/holds a private key/);
      writeFileSync(
        join(dir, 'mixed.pub'),
        `${readFileSync(join(dir, 'key.pem.pub'), 'utf8')}${readFileSync(join(dir, 'key.pem'), 'utf8')}`,
      );
      expect(() => loadSnapshotVerifyingKeys(join(dir, 'mixed.pub'))).toThrow(
        /holds a private key/,
      );
      writeFileSync(join(dir, 'junk.pub'), 'no key here');
      expect(() => loadSnapshotVerifyingKeys(join(dir, 'junk.pub'))).toThrow(
        /cannot read a public key/,
      );
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
