import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { instantColumn } from '../../shared/infrastructure/compact-columns';
import { AuditProjection } from '../projections/audit.projection';
import { AUDIT_SCHEMA } from '../projections/audit.schema';
import { type AuditFilter, AuditReadModel, type AuditRow } from './audit-read-model';

const HOUR = 3_600_000;
const START = Date.parse('2026-06-01T00:00:00.000Z');
const STREAMS = ['battery-A', 'battery-B', 'party-acme', 'battery-C'];
const PEOPLE = ['ann', 'bob', 'cyd'];
const PARTIES = ['acme', 'lessor-b'];

interface Act {
  stream: number;
  person: number;
  party: number;
  /** Hours after the one before it (negative: decided earlier, appended later), or a text instant. */
  step: number | 'text';
}

/** An event whose instant is not the shape `toISOString` writes stays text in the audit row. */
const TEXT_INSTANT = '2026-06-01T00:00:00Z';

function historyOf(acts: readonly Act[]): RecordedEvent[] {
  const revisions = new Map<string, number>();
  let clock = START;
  return acts.map((act, index) => {
    const streamId = STREAMS[act.stream];
    const revision = revisions.get(streamId) ?? 0;
    revisions.set(streamId, revision + 1);
    if (act.step !== 'text') clock += act.step * HOUR + 1;
    return {
      id: `event-${index}`,
      streamId,
      revision,
      // Gaps, as in a store that holds streams the audit view does not follow.
      position: BigInt(index * 3 + 1),
      type: 'Something',
      data: {},
      metadata: {
        actor: { personId: PEOPLE[act.person], partyId: PARTIES[act.party], role: 'owner' },
        occurredAt: act.step === 'text' ? TEXT_INSTANT : new Date(clock).toISOString(),
        requestId: `request-${index}`,
      },
      recordedAt: new Date(0),
    };
  });
}

/** What the filter means, said directly: SQLite orders text after every number. */
function selects(filter: AuditFilter, event: RecordedEvent): boolean {
  const meta = event.metadata as {
    actor: { personId: string; partyId: string };
    occurredAt: string;
  };
  const instant = instantColumn(meta.occurredAt);
  const from = filter.from === undefined ? undefined : Date.parse(filter.from);
  const to = filter.to === undefined ? undefined : Date.parse(filter.to);
  return (
    (filter.streamId === undefined || event.streamId === filter.streamId) &&
    (filter.actorPartyId === undefined || meta.actor.partyId === filter.actorPartyId) &&
    (filter.actorPersonId === undefined || meta.actor.personId === filter.actorPersonId) &&
    (from === undefined || typeof instant === 'string' || Number(instant) >= from) &&
    (to === undefined || (typeof instant !== 'string' && Number(instant) < to))
  );
}

function everyPage(audit: AuditReadModel, filter: AuditFilter, limit: number): AuditRow[] {
  const rows: AuditRow[] = [];
  let after = 0n;
  for (let pages = 0; pages < 1000; pages++) {
    const page = audit.query(filter, after, limit);
    rows.push(...page.items);
    if (page.nextCursor === null) return rows;
    after = BigInt(page.nextCursor);
  }
  throw new Error('the pages never end');
}

const act = fc.record({
  stream: fc.nat(STREAMS.length - 1),
  person: fc.nat(PEOPLE.length - 1),
  party: fc.nat(PARTIES.length - 1),
  step: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(0, 0, 1) },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 5 }) },
    { weight: 1, arbitrary: fc.constant('text' as const) },
  ),
});

/** An instant around the history's hours, or not given. */
const bound = fc.option(
  fc
    .integer({ min: -4 * HOUR, max: 40 * HOUR })
    .map((offset) => new Date(START + offset).toISOString()),
  { nil: undefined },
);

const filter = fc
  .record({
    streamId: fc.option(fc.constantFrom(...STREAMS, 'battery-nobody'), { nil: undefined }),
    actorPartyId: fc.option(fc.constantFrom(...PARTIES, 'stranger'), { nil: undefined }),
    actorPersonId: fc.option(fc.constantFrom(...PEOPLE), { nil: undefined }),
    from: bound,
    to: bound,
  })
  .map((record) =>
    Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)),
  );

describe('the audit view', () => {
  it('pages through exactly the events a filter selects, in store order, whatever the batches, rollbacks and clocks', () => {
    fc.assert(
      fc.property(
        fc.array(act, { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.array(filter, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 12 }),
        (acts, batchSizes, rollbacks, filters, limit, rememberedNames) => {
          const db = new Database(':memory:');
          try {
            db.exec(AUDIT_SCHEMA.ddl);
            // Few names remembered, so the projection also looks them up in SQLite.
            const projection = new AuditProjection(db, { rememberedNames });
            const applyBatch = db.transaction((events: RecordedEvent[], fail: boolean) => {
              for (const event of events) projection.apply(event);
              if (fail) throw new Error('the batch fails before its end');
              projection.flush();
            });
            const history = historyOf(acts);
            for (let start = 0, batch = 0; start < history.length; batch++) {
              const events = history.slice(start, start + batchSizes[batch % batchSizes.length]);
              // A batch that rolls back comes again, as the projection runner does it.
              if (rollbacks[batch % rollbacks.length]) {
                expect(() => applyBatch(events, true)).toThrow('the batch fails');
                projection.forget();
              }
              applyBatch(events, false);
              start += events.length;
            }
            const audit = new AuditReadModel(db);
            for (const chosen of filters as AuditFilter[]) {
              expect(everyPage(audit, chosen, limit)).toEqual(
                history
                  .filter((event) => selects(chosen, event))
                  .map((event) => ({
                    position: String(event.position),
                    streamId: event.streamId,
                    revision: event.revision,
                  })),
              );
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps each name once, however many events carry it', () => {
    const db = new Database(':memory:');
    try {
      db.exec(AUDIT_SCHEMA.ddl);
      const projection = new AuditProjection(db);
      const history = historyOf(
        Array.from({ length: 200 }, (_, i) => ({
          stream: i % 4,
          person: i % 3,
          party: i % 2,
          step: 0,
        })),
      );
      db.transaction(() => {
        for (const event of history) projection.apply(event);
        projection.flush();
      })();
      const names = db.prepare('SELECT name FROM audit_names ORDER BY name').pluck().all();
      expect(names).toEqual([...STREAMS, ...PEOPLE, ...PARTIES].sort());
      expect(db.prepare('SELECT count(*) FROM audit_hours').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });
});
