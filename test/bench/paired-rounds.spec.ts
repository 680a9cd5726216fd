import { interleave, pairedRatio, type LoadFigures } from '../../bench/support/load';
import { rowRatio } from '../../bench/support/report';

/** A round's figures with this throughput (the rest as a load would report it). */
const round = (label: string, perSecond: number, statuses: Record<string, number> = {}) =>
  ({
    label,
    requests: perSecond,
    seconds: 1,
    perSecond,
    p50Ms: 1,
    p99Ms: 2,
    statuses,
    errors: 0,
  }) satisfies LoadFigures;

describe('rounds of a figure and its baseline run in turn', () => {
  it('alternates baseline-first and figure-first (ABBA), so a steady drift favours neither side', async () => {
    const order: string[] = [];
    let speed = 100;
    // The machine slows by 10 % every round, whichever side runs.
    const run = (side: string, share: number) => async () => {
      order.push(side);
      speed *= 0.9;
      return round(side, speed * share);
    };
    const paired = await interleave(run('figure', 0.5), run('baseline', 1), 4);
    expect(order).toEqual([
      'baseline',
      'figure',
      'figure',
      'baseline',
      'baseline',
      'figure',
      'figure',
      'baseline',
    ]);
    expect(paired.roundRatios).toHaveLength(4);
    // Each pair of adjacent rounds sees one step of drift, once against the figure and once for it.
    expect(paired.roundRatios[0]).toBeCloseTo(0.45);
    expect(paired.roundRatios[1]).toBeCloseTo(0.5 / 0.9);
    expect(pairedRatio(paired.roundRatios)).toBeGreaterThan(0.45);
    expect(pairedRatio(paired.roundRatios)).toBeLessThan(0.5 / 0.9);
  });

  it('reports the median round of each side, with the answers and errors of every round', async () => {
    const figures = [30, 10, 20];
    const baselines = [100, 300, 200];
    let turn = 0;
    let baseTurn = 0;
    const paired = await interleave(
      async () => round('figure', figures[turn++], { '304': 5 }),
      async () => ({ ...round('baseline', baselines[baseTurn++], { '200': 7 }), errors: 1 }),
      3,
    );
    expect(paired.measured.perSecond).toBe(20);
    expect(paired.baseline.perSecond).toBe(200);
    expect(paired.measured.statuses).toEqual({ '304': 15 });
    expect(paired.baseline.statuses).toEqual({ '200': 21 });
    expect(paired.baseline.errors).toBe(3);
    expect(paired.roundRatios).toEqual([0.3, 10 / 300, 0.1]);
    // The ratio is taken round by round, not from the two medians (20 / 200 = 0.1 happens to agree here).
    expect(pairedRatio(paired.roundRatios)).toBe(0.1);
  });

  it('takes the median of the round ratios, the mean of the middle two for an even count', () => {
    expect(pairedRatio([0.9, 0.1, 0.5])).toBe(0.5);
    expect(pairedRatio([0.2, 0.8, 0.4, 0.6])).toBeCloseTo(0.5);
  });

  it("gives a row the median of its rounds when they ran in turn, else its medians' ratio", () => {
    const measured = round('figure', 40);
    const baseline = round('baseline', 100);
    expect(rowRatio({ group: 'g', note: '', measured, baseline })).toBeCloseTo(0.4);
    expect(
      rowRatio({ group: 'g', note: '', measured, baseline, roundRatios: [0.7, 0.6, 0.65] }),
    ).toBe(0.65);
  });
});
