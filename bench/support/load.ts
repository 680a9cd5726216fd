import autocannon from 'autocannon';

export interface LoadFigures {
  label: string;
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Completed answers by status code. */
  statuses: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
}

export interface LoadOptions {
  label: string;
  url: string;
  connections?: number;
  durationSec?: number;
  /** Stop after this many requests instead of after a duration. */
  amount?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Varies each request (path, headers, body); called once per request sent. */
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
  /** An unmeasured run of this many seconds first (JIT, caches, connections). */
  warmupSec?: number;
  /** Timed runs after the warm-up (LOAD_ROUNDS unless set); a run of `amount` requests runs once. */
  rounds?: number;
}

/**
 * Rounds of each timed load (BENCH_LOAD_ROUNDS, 3): this machine's throughput moves by a fifth from one
 * five-second run to the next, so the round with the median throughput is the one reported.
 */
export const LOAD_ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 3);

/**
 * A load on loopback: the warm-up, then its rounds. The figures are those of the round with the
 * median throughput; its answers and errors count every round, so no round's failures go unseen.
 */
export async function load(options: LoadOptions): Promise<LoadFigures> {
  await warmUp(options);
  const rounds = options.amount ? 1 : Math.max(1, options.rounds ?? LOAD_ROUNDS);
  const runs: LoadFigures[] = [];
  for (let round = 0; round < rounds; round++) runs.push(await oneRun(options));
  return medianRound(runs);
}

/** A measured figure and its baseline, their rounds run in turn (see `interleave`). */
export interface PairedFigures {
  measured: LoadFigures;
  baseline: LoadFigures;
  /** Measured over baseline throughput, one per pair of adjacent rounds, in the order run. */
  roundRatios: number[];
  /** Measured over baseline p99 latency, one per pair of adjacent rounds, in the order run. */
  roundP99Ratios: number[];
}

/**
 * Two loads whose ratio is the figure: both warm-ups, then their rounds in turn (see `interleave`).
 * Each gets the figures of its own median round, as `load` reports them.
 */
export async function pairedLoads(
  measured: LoadOptions,
  baseline: LoadOptions,
): Promise<PairedFigures> {
  await warmUp(baseline);
  await warmUp(measured);
  return interleave(
    () => oneRun(measured),
    () => oneRun(baseline),
    Math.max(1, measured.rounds ?? LOAD_ROUNDS),
  );
}

/**
 * `rounds` rounds of a measurement and of its baseline, in turn and in ABBA order (baseline then
 * measured, then measured then baseline, ...): this machine's speed drifts by up to 2× over
 * minutes, and a baseline measured minutes away from its figure measures the drift as much as
 * the code. Each round is compared with the round next to it; the ratio of the figure is the
 * median of those (`pairedRatio`).
 */
export async function interleave(
  measured: () => Promise<LoadFigures>,
  baseline: () => Promise<LoadFigures>,
  rounds: number,
): Promise<PairedFigures> {
  const measuredRuns: LoadFigures[] = [];
  const baselineRuns: LoadFigures[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      baselineRuns.push(await baseline());
      measuredRuns.push(await measured());
    } else {
      measuredRuns.push(await measured());
      baselineRuns.push(await baseline());
    }
  }
  return {
    measured: medianRound(measuredRuns),
    baseline: medianRound(baselineRuns),
    roundRatios: measuredRuns.map((run, round) => run.perSecond / baselineRuns[round].perSecond),
    roundP99Ratios: measuredRuns.map((run, round) => run.p99Ms / baselineRuns[round].p99Ms),
  };
}

/** The ratio of a paired figure: the median of its round ratios (throughput's or p99's). */
export function pairedRatio(roundRatios: readonly number[]): number {
  const sorted = [...roundRatios].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function warmUp(options: LoadOptions): Promise<void> {
  if (options.warmupSec)
    await oneRun({ ...options, amount: undefined, durationSec: options.warmupSec });
}

/** The round with the median throughput, with the answers and errors of every round. */
function medianRound(runs: LoadFigures[]): LoadFigures {
  const median = [...runs].sort((a, b) => a.perSecond - b.perSecond)[
    Math.floor((runs.length - 1) / 2)
  ];
  const statuses: Record<string, number> = {};
  for (const run of runs)
    for (const [code, count] of Object.entries(run.statuses))
      statuses[code] = (statuses[code] ?? 0) + count;
  return {
    ...median,
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    statuses,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

/** One autocannon run; figures from the completed answers only. */
async function oneRun(options: LoadOptions): Promise<LoadFigures> {
  // Latencies from every answer, in float milliseconds (autocannon's own histogram keeps whole ms).
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections ?? 16,
        pipelining: 1,
        ...(options.amount ? { amount: options.amount } : { duration: options.durationSec ?? 5 }),
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.body,
        timeout: 30,
        ...(options.setupRequest ? { requests: [{ setupRequest: options.setupRequest }] } : {}),
      },
      (error: unknown, finished) =>
        error
          ? reject(
              error instanceof Error ? error : new Error('autocannon failed', { cause: error }),
            )
          : resolve(finished),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) =>
      latencies.push(responseTime),
    );
  });
  latencies.sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {}))
    statuses[code] = stats.count ?? 0;
  const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    label: options.label,
    requests,
    seconds,
    perSecond: requests / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    statuses,
    errors: result.errors + result.timeouts,
  };
}

/** Fails loudly when a run answered anything but the statuses it was meant to measure. */
export function expectStatuses(figures: LoadFigures, allowed: string[]): LoadFigures {
  const unexpected = Object.entries(figures.statuses).filter(
    ([code, count]) => count > 0 && !allowed.includes(code),
  );
  if (unexpected.length > 0 || figures.errors > 0) {
    throw new Error(
      `${figures.label}: unexpected answers ${JSON.stringify(figures.statuses)}, ${figures.errors} errors`,
    );
  }
  return figures;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
