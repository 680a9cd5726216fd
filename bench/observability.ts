/**
 * What metrics and tracing cost on the bundle-pull path, measured against the same path with both
 * off in the same run. `npm run bench:observability` runs this scenario alone (about a minute);
 * `npm run bench` runs it as one of its steps and puts the rows in docs/benchmarks.md.
 *
 * The path: `GET /v1/batteries/{serial}/bundle` with a Bearer token and the current ETag (304),
 * over a sample of a 1,000-battery fleet: the lightest request that does real work, so what the
 * instrumentation adds per request weighs the most there (a worst case for the ratio).
 *
 * Four variants (both off, metrics on, tracing on, both on), one service process per run, on one
 * data directory (the read model stays caught up between runs), interleaved for BENCH_ROUNDS
 * rounds (2); each variant's best run counts, since other load on a shared machine only slows a
 * run down, and every run's figure is in the row's note.
 *
 * - Metrics on: METRICS_PORT set; Prometheus scrapes every 15 s, so the run scrapes once every
 *   5 s (more often than a real scraper) and checks the bundles it counted at the end.
 * - Tracing on: OTEL_EXPORTER_OTLP_ENDPOINT at a local OTLP/HTTP sink on 127.0.0.1 that discards
 *   (bench/support/otlp-sink.ts), default exporter (http/protobuf, batched), default sampler
 *   (every request traced: the worst case; a ratio sampler costs less).
 *
 * Settings (environment): BENCH_DURATION_SEC (5), BENCH_CONNECTIONS (16), BENCH_ROUNDS (2).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { buildNodePath, buildService, builtScript, type ServiceBuild } from './support/build';
import { serialOf } from './support/keys';
import type { LoadResult } from './support/fleet-loader';
import { expectStatuses, load, type LoadFigures } from './support/load';
import type { ComparisonRow } from './support/report';
import {
  freePort,
  runWorker,
  ServiceProcess,
  type ServiceOptions,
} from './support/service-process';
import { fleetTokens } from './support/tokens';

const GROUP = 'Metrics and tracing on the bundle pull';
const BATTERIES = 1000;
const SAMPLE = 500;
const SCRAPE_EVERY_MS = 5000;

export interface ObservabilityOptions {
  build: ServiceBuild;
  /** A directory of its own: the scenario's fleet and data directory go under it. */
  workDir: string;
  durationSec: number;
  warmupSec: number;
  connections: number;
  /** Runs of each variant, interleaved; each variant's best run counts. */
  rounds: number;
  /** Starts a service (the full bench passes its own, which kills every service it started if interrupted). */
  newService?: (options: ServiceOptions) => ServiceProcess;
  log?: (message: string) => void;
}

interface Variant {
  label: string;
  metrics: boolean;
  tracing: boolean;
}

const VARIANTS: Variant[] = [
  { label: 'metrics off, tracing off', metrics: false, tracing: false },
  { label: 'metrics on (METRICS_PORT, scraped every 5 s)', metrics: true, tracing: false },
  {
    label: 'tracing on (OTLP/HTTP to a local sink that discards, every request sampled)',
    metrics: false,
    tracing: true,
  },
  { label: 'metrics and tracing on', metrics: true, tracing: true },
];

/** Measures each variant; returns one row per instrumented variant against "both off". */
export async function observabilityComparisons(
  options: ObservabilityOptions,
): Promise<ComparisonRow[]> {
  const log = options.log ?? (() => undefined);
  const newService = options.newService ?? ((settings) => new ServiceProcess(settings));
  const dataDir = join(options.workDir, 'observability');
  mkdirSync(dataDir, { recursive: true });
  const loaded = await runWorker<LoadResult>('load-fleet', {
    file: join(dataDir, 'events.db'),
    batteries: BATTERIES,
    keysPerBattery: 10,
    startIndex: 0,
    registerParties: true,
  });
  log(`observability: ${loaded.events} events loaded`);
  const sample = Array.from({ length: SAMPLE }, (_, i) => Math.floor((i * BATTERIES) / SAMPLE));
  const sink = await startSink(options.build);
  /** Every run of each variant, by variant. */
  const runs = VARIANTS.map(() => [] as LoadFigures[]);
  let etags: Map<number, string> | undefined;
  let token = '';
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const [index, variant] of VARIANTS.entries()) {
        const metricsPort = variant.metrics ? await freePort() : undefined;
        const service = newService({
          dataDir,
          readyTimeoutMs: 60_000,
          env: {
            ...(metricsPort !== undefined ? { METRICS_PORT: String(metricsPort) } : {}),
            ...(variant.tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
          },
        });
        await service.start();
        try {
          await service.waitCaughtUp(120_000);
          token ||= (await fleetTokens(dataDir)).owner;
          // The ETags follow from the read model and the clock, the same in every run.
          etags ??= await currentEtags(service.baseUrl, token, sample);
          const scraper = metricsPort !== undefined ? scrapeEvery(metricsPort) : undefined;
          const run = await pullLoad(service.baseUrl, variant.label, token, sample, etags, options);
          const counted = await scraper?.stop();
          if (counted !== undefined && counted < run.requests)
            throw new Error(`metrics counted ${counted} 304 pulls of the ${run.requests} answered`);
          runs[index].push(run);
          log(
            `observability, round ${round + 1}: ${variant.label}: ${Math.round(run.perSecond)} req/s, p99 ${run.p99Ms.toFixed(1)} ms`,
          );
        } finally {
          await service.stop();
        }
      }
    }
    const stats = await sink.stats();
    if (stats.exports === 0) throw new Error('tracing on, but the OTLP sink received nothing');
    log(`observability: the sink received ${stats.exports} exports, ${stats.bytes} bytes`);
  } finally {
    await sink.stop();
  }
  // Each variant's best run: load from other processes on a shared machine only ever slows a run down.
  const [baseline, metrics, tracing, both] = runs.map(bestOf);
  const spread = (index: number) =>
    `runs: ${runs[index].map((run) => Math.round(run.perSecond)).join(', ')} req/s (baseline runs ${runs[0]
      .map((run) => Math.round(run.perSecond))
      .join(', ')})`;
  return [
    {
      group: GROUP,
      measured: metrics,
      baseline,
      note: `request histogram and 304 counter on every request, a scrape every 5 s; ${spread(1)}`,
    },
    {
      group: GROUP,
      measured: tracing,
      baseline,
      note: `HTTP server and Fastify request spans, batched OTLP/HTTP export; ${spread(2)}`,
    },
    { group: GROUP, measured: both, baseline, note: spread(3) },
  ];
}

/** The run with the highest throughput. */
function bestOf(runs: LoadFigures[]): LoadFigures {
  return runs.reduce((best, run) => (run.perSecond > best.perSecond ? run : best));
}

async function currentEtags(
  base: string,
  token: string,
  sample: number[],
): Promise<Map<number, string>> {
  const etags = new Map<number, string>();
  for (const index of sample) {
    const response = await fetch(`${base}/v1/batteries/${serialOf(index)}/bundle`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.text();
    if (response.status !== 200) throw new Error(`pull ${serialOf(index)}: ${response.status}`);
    etags.set(index, response.headers.get('etag') as string);
  }
  return etags;
}

function pullLoad(
  base: string,
  label: string,
  token: string,
  sample: number[],
  etags: Map<number, string>,
  options: ObservabilityOptions,
): Promise<LoadFigures> {
  let turn = 0;
  const authorization = `Bearer ${token}`;
  return load({
    label: `bundle pull, unchanged (304), Bearer token: ${label}`,
    url: base,
    connections: options.connections,
    durationSec: options.durationSec,
    warmupSec: options.warmupSec,
    // One timed run per service: the rounds here are whole services, the best of them counts.
    rounds: 1,
    setupRequest: (request: autocannon.Request) => {
      const index = sample[turn++ % sample.length];
      return {
        ...request,
        path: `/v1/batteries/${serialOf(index)}/bundle`,
        headers: { authorization, 'if-none-match': etags.get(index) as string },
      };
    },
  }).then((figures) => expectStatuses(figures, ['304']));
}

/** Scrapes the metrics port now and then during a run; at the end, the 304 pulls it counted. */
function scrapeEvery(port: number): { stop: () => Promise<number> } {
  const url = `http://127.0.0.1:${port}/metrics`;
  const timer = setInterval(
    () =>
      void fetch(url)
        .then((r) => r.text())
        .catch(() => undefined),
    SCRAPE_EVERY_MS,
  );
  return {
    stop: async () => {
      clearInterval(timer);
      const text = await (await fetch(url)).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith('battery_keys_bundles_served_total{caller="person",status_code="304"}'),
        );
      return Number(line?.split(' ')[1] ?? 0);
    },
  };
}

/** The discarding OTLP sink as its own process (so its work is not the load generator's). */
async function startSink(build: ServiceBuild) {
  const child = spawn(process.execPath, [builtScript(build, 'bench/support/otlp-sink')], {
    env: { PATH: process.env.PATH ?? '', NODE_PATH: buildNodePath() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${Number(chunk.toString().trim())}`;
  return {
    url,
    stats: async () =>
      (await (await fetch(`${url}/stats`)).json()) as { exports: number; bytes: number },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** `npm run bench:observability`: this scenario alone, printed as a table. */
async function main(): Promise<void> {
  const durationSec = Number(process.env.BENCH_DURATION_SEC ?? 5);
  const build = buildService();
  const workDir = mkdtempSync(join(tmpdir(), 'battery-keys-bench-observability-'));
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  try {
    const rows = await observabilityComparisons({
      build,
      workDir,
      durationSec,
      warmupSec: Math.min(2, durationSec),
      connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
      rounds: Number(process.env.BENCH_ROUNDS ?? 2),
      log,
    });
    const baseline = rows[0].baseline;
    const lines = [
      `| ${GROUP} | req/s | p50 ms | p99 ms | throughput ratio |`,
      '|---|--:|--:|--:|--:|',
      `| ${baseline.label.replace(/^.*: /, '')} | ${Math.round(baseline.perSecond)} | ${baseline.p50Ms.toFixed(2)} | ${baseline.p99Ms.toFixed(2)} | 1.00× |`,
      ...rows.map(
        ({ measured: m }) =>
          `| ${m.label} | ${Math.round(m.perSecond)} | ${m.p50Ms.toFixed(2)} | ${m.p99Ms.toFixed(2)} | ${(m.perSecond / baseline.perSecond).toFixed(2)}× |`,
      ),
      '',
      ...rows.map(({ measured, note }) => `${measured.label.replace(/^.*: /, '')}: ${note}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
