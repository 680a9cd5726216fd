import { issueGoals, ISSUE } from '../../bench/support/goals';
import { interleave, type LoadFigures } from '../../bench/support/load';
import type { FleetRow, Report } from '../../bench/support/report';

/** A round's figures with this throughput and p99. */
const round = (label: string, perSecond: number, p99Ms: number): LoadFigures => ({
  label,
  requests: perSecond,
  seconds: 1,
  perSecond,
  p50Ms: p99Ms / 3,
  p99Ms,
  statuses: { '304': perSecond },
  errors: 0,
});

const fleetRow = (batteries: number, pull304: LoadFigures, extra: Partial<FleetRow> = {}) =>
  ({
    batteries,
    events: batteries * 11,
    loadSeconds: 1,
    loadEventsPerSecond: 1,
    catchUpSeconds: 1,
    catchUpEventsPerSecond: 1,
    pull304,
    rssBytes: 300 * 2 ** 20,
    ...extra,
  }) satisfies FleetRow;

const reportOf = (fleet: FleetRow[]): Report => ({
  machine: {} as Report['machine'],
  source: 'test',
  rows: [],
  fleet,
  notes: [],
  missing: [],
});

const scaleRow = (report: Report) => issueGoals(report).find((row) => row.what === ISSUE.scale);

describe('"p99 flat from 1k to 1M": the largest fleet against a copy of the smallest, in turn', () => {
  it('takes a p99 ratio from each pair of adjacent rounds, as it does for throughput', async () => {
    const measured = [round('large', 100, 6), round('large', 100, 3), round('large', 100, 4)];
    const baseline = [round('small', 200, 3), round('small', 200, 3), round('small', 200, 2)];
    let turn = 0;
    let baseTurn = 0;
    const paired = await interleave(
      async () => measured[turn++],
      async () => baseline[baseTurn++],
      3,
    );
    expect(paired.roundP99Ratios).toEqual([2, 1, 2]);
    expect(paired.roundRatios).toEqual([0.5, 0.5, 0.5]);
  });

  it('judges the goal on the in-turn ratio when the run kept a copy of the smallest fleet', () => {
    // Measured an hour apart the p99s differ by 1.5× (the machine slowed); next to each other, 1.1×.
    const first = fleetRow(1_000, round('small', 20_000, 3.4));
    const largest = fleetRow(1_000_000, round('large', 10_000, 5.1), {
      againstSmallest: {
        p99Ratio: 1.1,

        smallest: round('copy', 10_500, 4.6),
      },
    });
    const row = scaleRow(reportOf([first, largest]));
    expect(row?.ratio).toMatch(/^p99 1\.10× \(rounds in turn\)/);
    expect(row?.measured).toMatch(/^Bearer 304 p99 4\.6 → 5\.1 ms/);
    expect(row?.met).toBe('yes');
  });

  it('falls back to the first step against the last when no copy ran, and says no past 1.25×', () => {
    const first = fleetRow(1_000, round('small', 20_000, 3.4));
    const largest = fleetRow(1_000_000, round('large', 10_000, 5.1));
    const row = scaleRow(reportOf([first, largest]));
    expect(row?.ratio).toMatch(/^p99 1\.50×,/);
    expect(row?.met).toBe('no');
  });

  it('fails the goal on RSS over 1 GiB whatever the p99', () => {
    const first = fleetRow(1_000, round('small', 20_000, 3.4));
    const largest = fleetRow(1_000_000, round('large', 10_000, 3.5), {
      rssBytes: 2 ** 30 + 1,
      againstSmallest: { p99Ratio: 1.0, smallest: round('copy', 10_000, 3.5) },
    });
    expect(scaleRow(reportOf([first, largest]))?.met).toBe('no');
  });
});
