import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { batteryDecider } from '../../src/batteries/domain/battery-decider';
import type { BatteryCommand } from '../../src/batteries/domain/battery-commands';
import type { BatteryEvent } from '../../src/batteries/domain/battery-events';
import { BatteriesProjection } from '../../src/batteries/projections/batteries.projection';
import { BATTERIES_SCHEMA } from '../../src/batteries/projections/batteries.schema';
import { BatteryReadModel } from '../../src/batteries/queries/battery-read-model';
import { openReadModelDatabase } from '../../src/read-model/read-model.database';
import { ReadModelRegistry } from '../../src/read-model/read-model-registry';
import { toNewEvent } from '../../src/shared/infrastructure/event-mapping';
import {
  actors,
  approveProposalAs,
  context,
  contractedBattery,
  history,
  holderKey,
  issueKeyCommand,
  parties,
  proposeSocWindow,
  provisionCommand,
} from '../support/battery-fixtures';

const revoke = (keyId: string): BatteryCommand => ({
  type: 'RevokeKey',
  keyId,
  reason: 'left the company',
  context: context(actors.ownerA, 'left the company'),
});

const issue = (n: number): BatteryCommand =>
  issueKeyCommand({
    keyId: `key-${n}`,
    holder: { personId: `tech-${n}`, party: parties.workshop },
    publicKey: holderKey(`tech-${n}`),
  });

function recorded(events: BatteryEvent[]): RecordedEvent[] {
  return events.map((event, index) => ({
    ...toNewEvent(event, randomUUID()),
    streamId: 'battery-SN-1',
    revision: index,
    position: BigInt(index + 1),
    recordedAt: new Date(0),
  }));
}

/** Applies events in batches the way the runner does: apply each, flush, commit, then `committed`. */
function applyInBatches(db: Database.Database, events: RecordedEvent[], sizes: number[]): void {
  const projection = new BatteriesProjection(db);
  let next = 0;
  for (const size of sizes) {
    const batch = events.slice(next, next + size);
    next += size;
    db.transaction(() => {
      for (const event of batch) projection.apply(event);
      projection.flush();
    })();
    projection.committed();
  }
}

/**
 * The battery read model is the decider's own state: whatever rows it keeps its parts in, it gives
 * back the state the decider folds from the same history, across batches and after a restart
 * (a projection with nothing in memory).
 */
describe('the batteries projection', () => {
  const commands = [
    provisionCommand(),
    ...[1, 2, 3, 4, 5].map(issue),
    revoke('key-2'),
    revoke('key-4'),
    issue(6),
    revoke('key-1'),
    revoke('key-6'),
  ];
  const events = history(...commands);
  const folded = events.reduce(batteryDecider.evolve, batteryDecider.initialState());

  it.each([
    ['one batch', [events.length]],
    ['one event per batch', events.map(() => 1)],
    ['revocations split across batches', [7, 1, 2, 1]],
  ])('gives back the decider’s state, revocations in order: %s', (_, sizes) => {
    const db = openReadModelDatabase(':memory:');
    try {
      new ReadModelRegistry(db).install(BATTERIES_SCHEMA);
      const all = recorded(events);
      applyInBatches(db, all, sizes.slice(0, -1));
      // The last batch on a projection that starts cold, as after a restart.
      applyInBatches(db, all.slice(sizes.slice(0, -1).reduce((a, b) => a + b, 0)), sizes.slice(-1));

      const state = new BatteryReadModel(db).get('SN-1')?.state;
      expect(state).toEqual(folded);
      expect(state?.revokedKeyIds).toEqual(['key-2', 'key-4', 'key-1', 'key-6']);
      expect(
        db.prepare("SELECT COUNT(*) AS n FROM battery_revocations WHERE serial = 'SN-1'").get(),
      ).toEqual({ n: 4 });
    } finally {
      db.close();
    }
  });

  it('writes the same rows however the events were batched (a caught-up read model equals a rebuilt one)', () => {
    const rowsAfter = (sizes: number[]) => {
      const db = openReadModelDatabase(':memory:');
      try {
        new ReadModelRegistry(db).install(BATTERIES_SCHEMA);
        applyInBatches(db, recorded(events), sizes);
        return BATTERIES_SCHEMA.tables.map((table) =>
          db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all(),
        );
      } finally {
        db.close();
      }
    };
    // In one batch, the keys revoked in it never get a row; one event at a time, each does.
    expect(rowsAfter([events.length])).toEqual(rowsAfter(events.map(() => 1)));
  });

  it('gives back the decider’s state after a batch rolled back and came again, as the runner does it', () => {
    const db = openReadModelDatabase(':memory:');
    try {
      new ReadModelRegistry(db).install(BATTERIES_SCHEMA);
      const all = recorded(events);
      const projection = new BatteriesProjection(db);
      const batch = db.transaction((part: RecordedEvent[], fail: boolean) => {
        for (const event of part) projection.apply(event);
        projection.flush();
        if (fail) throw new Error('the checkpoint could not be written');
      });
      batch(all.slice(0, 1), false);
      projection.committed();
      // The keys' holders and parties were numbered in the batch that rolled back.
      expect(() => batch(all.slice(1), true)).toThrow('could not be written');
      projection.forget();
      batch(all.slice(1), false);
      projection.committed();

      expect(new BatteryReadModel(db).get('SN-1')?.state).toEqual(folded);
    } finally {
      db.close();
    }
  });

  it('rewrites the state document only when an event changes more than keys and the bundle version', () => {
    // Keys issued and revoked around a contract and a proposal that opens, gets an approval and
    // is decided: each event its own batch, so each is written on the state the one before left.
    const mixed = history(
      ...contractedBattery(),
      issue(1),
      proposeSocWindow(),
      issue(2),
      approveProposalAs(actors.ownerA),
      revoke('key-1'),
      approveProposalAs(actors.cellEngineer),
      issue(3),
    );
    const db = openReadModelDatabase(':memory:');
    try {
      new ReadModelRegistry(db).install(BATTERIES_SCHEMA);
      const documents: unknown[] = [];
      const projection = new BatteriesProjection(db);
      const all = recorded(mixed);
      for (const event of all) {
        db.transaction(() => {
          projection.apply(event);
          projection.flush();
        })();
        projection.committed();
        documents.push(
          db.prepare("SELECT state FROM batteries WHERE serial = 'SN-1'").pluck().get(),
        );
        const readBack = new BatteryReadModel(db).get('SN-1');
        const foldedSoFar = mixed
          .slice(0, documents.length)
          .reduce(batteryDecider.evolve, batteryDecider.initialState());
        expect(readBack?.state).toEqual(foldedSoFar);
        expect(readBack?.revision).toBe(event.revision);
        const open = foldedSoFar.provisioned ? foldedSoFar.proposals.map((p) => p.proposalId) : [];
        expect(
          db.prepare("SELECT proposal_id FROM open_proposals WHERE serial = 'SN-1'").pluck().all(),
        ).toEqual(open);
      }
      const changed = mixed
        .map((event, index) => ({
          type: event.type,
          same:
            index > 0 &&
            documents[index] !== undefined &&
            Buffer.compare(
              Buffer.from(documents[index] as Uint8Array),
              Buffer.from(documents[index - 1] as Uint8Array),
            ) === 0,
        }))
        .filter(({ type }) => type === 'KeyIssued' || type === 'KeyRevoked');
      // Every key event left the stored document byte for byte as the event before had it.
      expect(changed.every(({ same }) => same)).toBe(true);
      expect(
        new Set(documents.map((document) => Buffer.from(document as Uint8Array).toString('hex')))
          .size,
      ).toBeGreaterThan(3);
    } finally {
      db.close();
    }
  });
});
