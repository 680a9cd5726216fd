/**
 * `npm run bench`: starts the service as a child process on 127.0.0.1 with a temporary data
 * directory, measures it next to a baseline taken in the same run (so the ratios hold on a noisy
 * machine), prints a table and writes docs/benchmarks.md. Bounded by BENCH_BUDGET_SEC (570 s): a
 * fleet size whose load and catch-up would not fit is skipped, and the document says so.
 *
 * Every line of issue 11's table gets its baseline from the same run, the ratio, the goal and
 * whether it is met (bench/support/goals.ts); what does not fit the budget is skipped and named.
 * Issue 13's figures (bench/audit-log.ts): the rebuild from scratch is also made with the audit
 * log off, interleaved with it on; at the largest fleet, inclusion-proof latency and the tree's
 * bytes per event. Then a new instance started from a snapshot of that fleet's read model
 * (bench/seeded-start.ts).
 *
 * Settings (environment): BENCH_DURATION_SEC (5), BENCH_LOAD_ROUNDS (3: timed rounds of each load,
 * the median reported; a goal's rounds run in turn with its baseline's, bench/support/load.ts), BENCH_CONNECTIONS (16),
 * BENCH_FLEET_SIZES (1000,10000,100000,1000000), BENCH_BUDGET_SEC (570), BENCH_SOURCE (a git
 * revision to measure instead of the working tree), BENCH_OUT (docs/benchmarks.md),
 * BENCH_RESTART_PULLS (1000: batteries that pull before and after a restart),
 * BENCH_HOT_COMMANDS (200: sequential commands measured on each hot battery, one battery of each
 * stream length per round; even).
 */
import { auditPartyPage } from './support/audit-page';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type autocannon from 'autocannon';
import {
  buildNodePath,
  buildService,
  builtScript,
  REPO_ROOT,
  type ServiceBuild,
} from './support/build';
import { createDeviceProofSync, DEVICE_PROOF_HEADER } from '../src/device-verifier';
import {
  DEVICE_KEY_LABEL,
  DEVICE_KEY_POOL,
  keyPairAt,
  keyPool,
  serialOf,
  type KeyPair,
  type LoadResult,
} from './support/fleet-loader';
import {
  expectStatuses,
  interleave,
  load,
  LOAD_ROUNDS,
  pairedLoads,
  pairedRatio,
  percentile,
  type LoadFigures,
  type LoadOptions,
  type PairedFigures,
} from './support/load';
import { describeMachine } from './support/machine';
import { auditLogGoals, issueGoals, ISSUE, RATIO_GOALS } from './support/goals';
import {
  renderReport,
  rowRatio,
  type ComparisonRow,
  type CatchUpRun,
  type RebuildFigures,
  type Report,
  type RestartFigures,
} from './support/report';
import { runWorker, ServiceProcess } from './support/service-process';
import { fleetTokens } from './support/tokens';
import { EXAMPLE_HARD_LIMITS } from '../src/device-simulator/simulated-fleet';
import { observabilityComparisons } from './observability';
import { seededStart } from './seeded-start';
import {
  AUDIT_LOG_OFF,
  auditLogRuns,
  catchUpComparison,
  inclusionProofs,
  treeStorage,
} from './audit-log';

const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 5);
const WARMUP_SEC = Math.min(2, DURATION_SEC);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const FLEET_SIZES = (process.env.BENCH_FLEET_SIZES ?? '1000,10000,100000,1000000')
  .split(',')
  .map(Number);
const BUDGET_MS = Number(process.env.BENCH_BUDGET_SEC ?? 570) * 1000;
const OUT = process.env.BENCH_OUT ?? join(REPO_ROOT, 'docs', 'benchmarks.md');
/** Where the run with the budget lifted (1,000,000 batteries) keeps its report. */
const LONG_RUN = join(REPO_ROOT, 'bench', 'results', 'fleet-1m.md');
const KEYS_PER_BATTERY = 10;
/** Batteries sampled per fleet size for pull latency, spread uniformly over the fleet. */
const PULL_SAMPLE = 2000;
/** Pulls of never-signed bundles, on the first fleet that has this many unpulled batteries. */
const COLD_PULLS = 6000;
/** Time kept for what follows the last fleet step (pulls, stop, the ceilings again, report). */
const TAIL_MS = 80_000;
/** Rough bulk-load rate (events/s) for the budget check before a step; the real one is measured. */
const LOAD_RATE_GUESS = 30_000;
const DEVICE_ROUTE = '/v1/devices/{serial}/bundle';
/** Batteries that pull, see the service restart, and pull again with the ETag they hold. */
const RESTART_PULLS = Number(process.env.BENCH_RESTART_PULLS ?? 1000);
/** Sequential commands measured per hot battery (one of 100 and one of 2,000 events per round). */
const HOT_COMMANDS = Number(process.env.BENCH_HOT_COMMANDS ?? 200);
/** The hot battery's stream lengths: the baseline, then the measured one. */
const HOT_SHORT = 100;
const HOT_LONG = 2000;
/** Keys on the one battery whose 304 pull is compared with a battery of the fleet's 10 keys. */
const MANY_KEYS = 1000;
/** Commands after each start of the hot battery's service before the measured ones (JIT, caches). */
const HOT_WARMUP = 20;
/** Rebuilds with the audit log off and on, interleaved (off, on, off, on): the best of each counts. */
const CATCH_UP_ROUNDS = 2;
/** A service start and the polls around a rebuild, on top of replaying its events. */
const REBUILD_OVERHEAD_MS = 5000;

const startedAt = Date.now();
const elapsed = () => Date.now() - startedAt;
const log = (message: string) =>
  process.stderr.write(`[bench ${(elapsed() / 1000).toFixed(0).padStart(3)} s] ${message}\n`);

type Tokens = Awaited<ReturnType<typeof fleetTokens>>;
type RawAppends = { appends: number; perSecond: number; p50Ms: number; p99Ms: number; ms: number };

interface Puller {
  label: string;
  /** Path and headers of one pull of battery `index` (a fresh device proof each time). */
  request(base: string, index: number): { path: string; headers: Record<string, string> };
}

async function main(): Promise<void> {
  const report: Report = {
    machine: describeMachine(),
    source: '',
    rows: [],
    fleet: [],
    notes: [],
    missing: [],
    auditLog: {},
    settings: {
      BENCH_DURATION_SEC: DURATION_SEC,
      BENCH_LOAD_ROUNDS: LOAD_ROUNDS,
      BENCH_CONNECTIONS: CONNECTIONS,
      BENCH_BUDGET_SEC: BUDGET_MS / 1000,
      BENCH_FLEET_SIZES: FLEET_SIZES.join(','),
    },
  };
  const build = buildService();
  report.source = build.source;
  log(`built ${build.source} into ${build.outDir}`);
  const workDir = mkdtempSync(join(tmpdir(), 'battery-keys-bench-'));
  let service: ServiceProcess | undefined;
  /** Every service process started, so a failed or interrupted run leaves none behind. */
  const started: ServiceProcess[] = [];
  const newService = (options: ConstructorParameters<typeof ServiceProcess>[0]) => {
    const created = new ServiceProcess(options);
    started.push(created);
    return created;
  };
  /** Baseline servers still up (bench/support), stopped by the clean-up too. */
  const helpers = new Set<Helper>();
  const newHelper = async (script: string) => {
    const helper = await startHelper(build, script);
    helpers.add(helper);
    return {
      url: helper.url,
      stop: async () => {
        helpers.delete(helper);
        await helper.stop();
      },
    };
  };
  const cleanUp = async () => {
    for (const each of started) await each.kill().catch(() => undefined);
    for (const helper of helpers) await helper.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));

  try {
    // 1. The ceiling for Node HTTP here: a bare Fastify route, same load generator, same cores.
    const devices = keyPool(DEVICE_KEY_LABEL, DEVICE_KEY_POOL);
    // Up the whole run: the first fleet's pulls run in turn with it, the end measures it again.
    const fastify = await newHelper('bench/support/bare-fastify');
    const fastifyUrl = fastify.url;
    const ceiling = expectStatuses(await load(ceilingLoad(fastifyUrl, '/constant')), ['200']);
    const ceilingBody = expectStatuses(await load(ceilingLoad(fastifyUrl, '/constant-bundle')), [
      '200',
    ]);
    log(`ceiling ${Math.round(ceiling.perSecond)} req/s`);
    /** A baseline server of bench/support, up for the measurements it is the baseline of. */
    const withHelper = async <T>(script: string, measure: (url: string) => Promise<T>) => {
      const helper = await newHelper(script);
      try {
        return await measure(helper.url);
      } finally {
        await helper.stop();
      }
    };

    // 2. The fleet, grown in steps; the first step also carries the detailed comparisons.
    const dataDir = join(workDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    let loaded = 0;
    let totalEvents = 0;
    let catchUpRate: number | undefined;
    const signed = new Set<number>();
    let coldMeasured = false;
    let deviceRoute: boolean | undefined;
    let restartSkipped = false;
    /** The first fleet step's pull sample, pulled again on its copy. */
    let firstSample: number[] | undefined;
    /** A copy of the smallest fleet, up from the second step on: the p99 baseline in turn. */
    let smallest: SmallestFleet | undefined;

    for (const size of FLEET_SIZES) {
      const adding = size - loaded;
      if (adding <= 0) continue;
      const newEvents = adding * (KEYS_PER_BATTERY + 1);
      if (catchUpRate !== undefined) {
        const projectedMs =
          (newEvents / LOAD_RATE_GUESS + newEvents / catchUpRate) * 1000 + TAIL_MS;
        if (elapsed() + projectedMs > BUDGET_MS) {
          report.missing.push(
            `Fleet of ${size.toLocaleString('en')} batteries: not measured. Its ${newEvents.toLocaleString('en')} further events would take ` +
              `~${Math.round(projectedMs / 1000).toLocaleString('en')} s to load and for the service to project at the catch-up rate measured ` +
              `in this run (${Math.round(catchUpRate).toLocaleString('en')} events/s), past the ${BUDGET_MS / 1000} s budget ` +
              `(${Math.round(elapsed() / 1000)} s already used). \`BENCH_FLEET_SIZES=1000,${size} BENCH_BUDGET_SEC=20000 npm run bench\` measures it.`,
          );
          log(`skipping fleet ${size}: would need ~${Math.round(projectedMs / 1000)} s more`);
          continue;
        }
      }
      await service?.stop();
      // Before the fleet first grows, while its service is stopped: a copy of it, kept up.
      if (service && !smallest && firstSample && report.fleet.length === 1) {
        smallest = await keepSmallestFleet({
          dataDir,
          copyDir: join(workDir, 'smallest-fleet'),
          newService,
          sample: firstSample,
          batteries: report.fleet[0].batteries,
        });
        log(`a copy of the fleet of ${smallest.batteries} is up for the p99 comparison in turn`);
      }
      log(
        `loading ${adding.toLocaleString('en')} batteries (${newEvents.toLocaleString('en')} events) into the store`,
      );
      const loadResult = await runWorker<LoadResult>('load-fleet', {
        file: join(dataDir, 'events.db'),
        batteries: adding,
        keysPerBattery: KEYS_PER_BATTERY,
        startIndex: loaded,
        registerParties: loaded === 0,
      });
      loaded = size;
      totalEvents += loadResult.events;
      log(
        `loaded in ${(loadResult.ms / 1000).toFixed(1)} s (${Math.round(loadResult.eventsPerSecond)} events/s; inserts alone ${Math.round(loadResult.insertsPerSecond)}/s)`,
      );

      service = newService({ dataDir, readyTimeoutMs: 120_000 });
      const startMs = Date.now();
      await service.start();
      await service.waitCaughtUp(BUDGET_MS);
      const catchUpMs = Date.now() - startMs;
      catchUpRate = loadResult.events / (catchUpMs / 1000);
      log(
        `service caught up ${loadResult.events.toLocaleString('en')} new events in ${(catchUpMs / 1000).toFixed(1)} s (${Math.round(catchUpRate)} events/s)`,
      );
      const checkMs = await service.waitAuditChecked(BUDGET_MS);
      log(`audit log's first tamper check since start done ${(checkMs / 1000).toFixed(1)} s later`);

      const tokens = await fleetTokens(dataDir);
      deviceRoute ??= await hasDeviceRoute(service.baseUrl);
      const bearer = bearerPuller(tokens);
      const device = deviceRoute ? devicePuller(devices) : undefined;

      // Unchanged-bundle pulls over a uniform sample of the fleet, each with its current ETag.
      // On the first fleet, in turn with their baselines (the issue's goals are taken there).
      const firstFleet = report.fleet.length === 0;
      const sample = sampleIndexes(size, Math.min(PULL_SAMPLE, size), signed);
      firstSample ??= sample;
      const bearerEtags = await prePull(service.baseUrl, sample, bearer);
      sample.forEach((index) => signed.add(index));
      const bearerLoad = pullOptions(
        service.baseUrl,
        `bundle pull, unchanged (304), Bearer token, fleet of ${size.toLocaleString('en')}`,
        bearer,
        sample,
        bearerEtags,
        '304',
      );
      let bearerPaired: PairedFigures | undefined;
      if (firstFleet)
        bearerPaired = expectPaired(
          await pairedLoads(
            bearerLoad,
            pullOptions(
              fastifyUrl,
              'bare Fastify route answering the same Bearer pulls 304 (no token check, no lookup)',
              bearer,
              sample,
              bearerEtags,
              '304',
            ),
          ),
          ['304'],
          ['304'],
        );
      // On the larger fleets, in turn with the same pulls on the smallest fleet's copy.
      const flatness = smallest
        ? expectPaired(
            await pairedLoads(
              bearerLoad,
              pullOptions(
                smallest.service.baseUrl,
                `bundle pull, unchanged (304), Bearer token, a copy of the fleet of ${smallest.batteries.toLocaleString('en')}`,
                smallest.puller,
                smallest.sample,
                smallest.etags,
                '304',
              ),
            ),
            ['304'],
            ['304'],
          )
        : undefined;
      const pull304 =
        bearerPaired?.measured ??
        flatness?.measured ??
        expectStatuses(await load(bearerLoad), ['304']);
      let devicePull304: LoadFigures | undefined;
      let deviceEtags: Map<number, string> | undefined;
      let devicePaired: PairedFigures | undefined;
      if (device) {
        deviceEtags = await prePull(service.baseUrl, sample, device);
        const deviceLoad = pullOptions(
          service.baseUrl,
          `bundle pull, unchanged (304), device proof, fleet of ${size.toLocaleString('en')}`,
          device,
          sample,
          deviceEtags,
          '304',
        );
        // The same proofs, made the same way, verified by a bare Fastify route.
        if (firstFleet)
          devicePaired = expectPaired(
            await pairedLoads(
              deviceLoad,
              pullOptions(
                fastifyUrl,
                'bare Fastify route verifying the same device proof (jose, Ed25519), 304',
                device,
                sample,
                new Map(sample.map((index) => [index, '"1.0"'])),
                '304',
              ),
            ),
            ['304'],
            ['304'],
          );
        devicePull304 = devicePaired?.measured ?? expectStatuses(await load(deviceLoad), ['304']);
      }
      const auditPage = await auditPartyPage(service.baseUrl, tokens.owner, 'lessor-a');
      const rss = service.rssBytes();
      report.fleet.push({
        batteries: size,
        events: totalEvents,
        loadSeconds: loadResult.ms / 1000,
        loadEventsPerSecond: loadResult.eventsPerSecond,
        catchUpSeconds: catchUpMs / 1000,
        catchUpEventsPerSecond: catchUpRate,
        pull304,
        devicePull304,
        auditPage,
        againstSmallest: flatness && {
          p99Ratio: pairedRatio(flatness.roundP99Ratios),
          smallest: flatness.baseline,
        },
        rssBytes: rss,
        storeBytes: fileBytes(dataDir, 'events.db'),
        readModelBytes: fileBytes(dataDir, 'read-model.db'),
      });
      log(
        `fleet ${size}: 304 p99 ${pull304.p99Ms.toFixed(1)} ms at ${Math.round(pull304.perSecond)} req/s; ` +
          `audit page by party p50 ${auditPage.p50Ms.toFixed(1)} ms; RSS ${(rss / 2 ** 20).toFixed(0)} MiB` +
          (flatness
            ? `; in turn with the smallest fleet's copy: p99 ${flatness.roundP99Ratios.map((r) => r.toFixed(2)).join('/')}×`
            : ''),
      );

      if (report.fleet.length === 1) {
        // The Nest shell alone (Nest 11 + Fastify, one empty route, nothing global), in turn with the JWKS.
        const jwks = await withHelper('bench/support/bare-nest', async (url) =>
          expectPaired(
            await pairedLoads(
              timedLoad(
                "JWKS route, no token or database (a Fastify hook, before Nest's router)",
                `${service!.baseUrl}/.well-known/jwks.json`,
              ),
              timedLoad('bare Nest 11 + Fastify app, one empty GET route', `${url}/empty`),
            ),
            ['200'],
            ['200'],
          ),
        );
        await pullComparisons(
          report,
          service,
          { bearer, device },
          sample,
          { bearer: bearerEtags, device: deviceEtags },
          { ceiling, ceilingBody, jwks, bearer: bearerPaired!, device: devicePaired },
        );
        await commandComparisons(report, service, tokens, size, workDir);
        await oneBatteryComparisons(report, join(workDir, 'one-battery'), newService);
        // Metrics and tracing, off and on, on the 304 pull (bench/observability.ts; ~70 s).
        report.rows.push(
          ...(await observabilityComparisons({
            build,
            workDir,
            durationSec: DURATION_SEC,
            warmupSec: WARMUP_SEC,
            connections: CONNECTIONS,
            rounds: 2,
            newService,
            log,
          })),
        );
        if (!device) {
          report.missing.push(
            'Device-authenticated bundle pull (a signed proof per request): the service under test has no ' +
              `\`GET ${DEVICE_ROUTE}\` in its OpenAPI document, so every pull above authenticates with a person's Bearer token.`,
          );
        }
      }
      // Devices holding their bundle see the service restart: do they download it again?
      if (
        !report.restart &&
        !restartSkipped &&
        (size >= RESTART_PULLS || size === FLEET_SIZES[FLEET_SIZES.length - 1])
      ) {
        const batteries = Math.min(RESTART_PULLS, size);
        // Cold pulls (each signs) before and after, at a rate guessed low; one restart.
        const projectedMs = ((2 * batteries) / 300 + 15) * 1000;
        if (elapsed() + projectedMs + TAIL_MS > BUDGET_MS) {
          restartSkipped = true;
          report.missing.push(
            `Devices re-downloading after a restart (${batteries.toLocaleString('en')} batteries): would need ~${Math.round(projectedMs / 1000)} s, ` +
              `past the ${BUDGET_MS / 1000} s budget (${Math.round(elapsed() / 1000)} s already used); a smaller BENCH_RESTART_PULLS fits.`,
          );
        } else {
          const indexes = sampleIndexes(size, batteries, new Set());
          report.restart = await restartPulls(service, device ?? bearer, indexes, size);
          indexes.forEach((index) => signed.add(index));
        }
      }
      // After a change every battery's first pull signs its bundle (ES256) once. Batteries never
      // pulled have never been signed: pulling each of them once measures exactly that path.
      if (!coldMeasured) {
        const unsigned = [...Array(size).keys()]
          .filter((index) => !signed.has(index))
          .slice(0, COLD_PULLS);
        if (unsigned.length >= COLD_PULLS / 4) {
          coldMeasured = true;
          const cold = await coldPulls(service.baseUrl, device ?? bearer, unsigned, size);
          unsigned.forEach((index) => signed.add(index));
          report.rows.push({
            group: 'Bundle pull',
            measured: cold,
            baseline: ceilingBody,
            note: `${unsigned.length.toLocaleString('en')} distinct batteries never pulled before: each pull signs its bundle (ES256)`,
          });
        }
      }
      // The rebuild from scratch runs once, on the second fleet (or on the first if it is the only one).
      // With the audit log off and on (issue 13), interleaved; the first run with it on is issue 11's figure.
      if (!report.rebuild && (report.fleet.length === 2 || FLEET_SIZES.length === 1)) {
        const events = Number((await service.progress()).head);
        const logged = await auditLogRuns(service.baseUrl);
        const comparison = await catchUpComparison({
          on: service,
          off: newService({ dataDir, env: AUDIT_LOG_OFF, readyTimeoutMs: 120_000 }),
          dataDir,
          hasAuditLog: logged,
          rounds: CATCH_UP_ROUNDS,
          estimateMs: (events / catchUpRate) * 1000 + REBUILD_OVERHEAD_MS,
          fits: (ms) => elapsed() + ms + TAIL_MS <= BUDGET_MS,
          timeoutMs: BUDGET_MS,
          log,
        });
        report.rebuild = rebuildFigures(comparison.firstOn, loadResult);
        if (comparison.skipped)
          report.missing.push(
            `Audit log catch-up cost: ${comparison.skipped}` +
              (logged
                ? ` (${Math.round(elapsed() / 1000)} s of the ${BUDGET_MS / 1000} s budget already used).`
                : ' (no `/.well-known/audit-log-key`).'),
          );
        else report.auditLog!.catchUp = { batteries: size, runs: comparison.runs };
        catchUpRate = Math.min(catchUpRate, report.rebuild.eventsPerSecond);
      }
    }
    // Every fleet step has had its pulls: the copy of the smallest has no more to answer.
    await smallest?.service.stop();
    if (service) await auditLogAtLargestFleet(report, service, dataDir);
    // A new instance from a snapshot of the largest fleet's read model (bench/seeded-start.ts).
    const largest = report.fleet[report.fleet.length - 1];
    if (service && largest && catchUpRate !== undefined) {
      const tailBatteries = Math.max(100, Math.round(largest.batteries / 100));
      const tailEvents = tailBatteries * (KEYS_PER_BATTERY + 1);
      const bytes = (largest.readModelBytes ?? 0) + (largest.storeBytes ?? 0);
      // The snapshot and the copies at ~100 MiB/s, the tail loaded and replayed, two starts.
      const projectedMs =
        ((2 * bytes) / (100 * 2 ** 20) + tailEvents / LOAD_RATE_GUESS + tailEvents / catchUpRate) *
          1000 +
        REBUILD_OVERHEAD_MS * 2;
      if (elapsed() + projectedMs + TAIL_MS > BUDGET_MS)
        report.missing.push(
          `A new instance from a read-model snapshot (fleet of ${largest.batteries.toLocaleString('en')}): would need ~${Math.round(projectedMs / 1000)} s, ` +
            `past the ${BUDGET_MS / 1000} s budget (${Math.round(elapsed() / 1000)} s already used).`,
        );
      else {
        const seeded = await seededStart({
          build,
          service,
          dataDir,
          workDir,
          batteries: largest.batteries,
          tailBatteries,
          keysPerBattery: KEYS_PER_BATTERY,
          newService,
          timeoutMs: BUDGET_MS,
          log,
        });
        if (typeof seeded === 'string')
          report.missing.push(
            `A new instance from a read-model snapshot: not measured, ${seeded}.`,
          );
        else report.seededStart = seeded;
      }
    }
    await service?.stop();
    service = undefined;
    await remeasureCeilings(report, fastifyUrl, { ceiling, ceilingBody });
    await fastify.stop();
    if (!report.restart && !restartSkipped)
      report.missing.push(
        'Devices re-downloading after a restart: no fleet step was measured in this run.',
      );
    if (!coldMeasured)
      report.missing.push(
        `Pull of a changed bundle that is signed on the pull: no fleet step left ${COLD_PULLS / 4} batteries unpulled.`,
      );
  } finally {
    await cleanUp();
  }
  report.totalSeconds = elapsed() / 1000;
  if (existsSync(LONG_RUN) && resolve(OUT) !== resolve(LONG_RUN)) {
    report.longRun =
      `The fleet sizes this ten-minute run cannot reach were measured once with the budget lifted, same bench, same machine: ` +
      `[${relative(dirname(OUT), LONG_RUN)}](${relative(dirname(OUT), LONG_RUN)}) ` +
      '(`BENCH_FLEET_SIZES=…,1000000 BENCH_BUDGET_SEC=20000 BENCH_OUT=bench/results/fleet-1m.md npm run bench`; its settings row names the sizes and its code row the commit).';
  }
  report.notes.push(...findings(report));
  report.goals = issueGoals(report);
  report.auditLogGoals = auditLogGoals(report);
  const markdown = renderReport(report);
  writeFileSync(OUT, markdown);
  process.stdout.write(`${markdown}\n`);
  log(`wrote ${OUT}`);
}

/** A copy of the smallest fleet's service with its pull sample and their current ETags. */
interface SmallestFleet {
  service: ServiceProcess;
  batteries: number;
  puller: Puller;
  sample: number[];
  etags: Map<number, string>;
}

/**
 * Copies the stopped service's data directory and starts a service on the copy, caught up and
 * checked, with the sample's current ETags: the larger fleets' pulls then run in turn with the
 * same pulls on it, so "p99 flat from 1k to 1M" compares rounds a few seconds apart instead of
 * a first step and a last step that may be an hour and a different machine speed apart.
 */
async function keepSmallestFleet(options: {
  dataDir: string;
  copyDir: string;
  newService: (options: ConstructorParameters<typeof ServiceProcess>[0]) => ServiceProcess;
  sample: number[];
  batteries: number;
}): Promise<SmallestFleet> {
  cpSync(options.dataDir, options.copyDir, { recursive: true });
  const service = options.newService({ dataDir: options.copyDir, readyTimeoutMs: 120_000 });
  await service.start();
  await service.waitCaughtUp(BUDGET_MS);
  await service.waitAuditChecked(BUDGET_MS);
  const puller = bearerPuller(await fleetTokens(options.copyDir));
  const etags = await prePull(service.baseUrl, options.sample, puller);
  return { service, batteries: options.batteries, puller, sample: options.sample, etags };
}

function bearerPuller(tokens: Tokens): Puller {
  const authorization = `Bearer ${tokens.owner}`;
  return {
    label: 'Bearer token',
    request: (_base, index) => ({
      path: `/v1/batteries/${serialOf(index)}/bundle`,
      headers: { authorization },
    }),
  };
}

function devicePuller(devices: KeyPair[]): Puller {
  return {
    label: 'device proof',
    request: (base, index) => {
      const path = `/v1/devices/${serialOf(index)}/bundle`;
      const key = devices[index % devices.length];
      // The devices' own helper (src/device-verifier), synchronous so it can sign inside autocannon's hook.
      const proof = createDeviceProofSync(
        {
          serial: serialOf(index),
          privateKey: key.privateKey,
          thumbprint: key.publicKey.thumbprint,
        },
        { method: 'GET', url: `${base}${path}`, now: Math.floor(Date.now() / 1000) },
      );
      return { path, headers: { [DEVICE_PROOF_HEADER]: proof } };
    },
  };
}

async function hasDeviceRoute(base: string): Promise<boolean> {
  const response = await fetch(`${base}/docs/openapi.json`);
  if (!response.ok) return false;
  const document = (await response.json()) as { paths?: Record<string, unknown> };
  return Boolean(document.paths?.[DEVICE_ROUTE]);
}

/**
 * The bare Fastify ceilings once more, at the end of the run: this machine's speed drifts over
 * minutes, and a ceiling measured while it was slow would flatter every ratio taken against it.
 * The higher of the two measurements is the baseline (the figures are updated in place, so every
 * row that compares with them uses it), and the report says both.
 */
async function remeasureCeilings(
  report: Report,
  fastifyUrl: string,
  first: { ceiling: LoadFigures; ceilingBody: LoadFigures },
): Promise<void> {
  const measured: string[] = [];
  for (const [figures, path] of [
    [first.ceiling, '/constant'],
    [first.ceilingBody, '/constant-bundle'],
  ] as const) {
    const again = expectStatuses(await load(ceilingLoad(fastifyUrl, path)), ['200']);
    measured.push(
      `${figures.label}: ${Math.round(figures.perSecond).toLocaleString('en')} req/s at the start, ` +
        `${Math.round(again.perSecond).toLocaleString('en')} at the end`,
    );
    if (again.perSecond > figures.perSecond) Object.assign(figures, again);
  }
  report.notes.push(
    `The bare Fastify baselines were measured at the start and again at the end of the run (${measured.join('; ')}); ` +
      'the higher of each is the baseline of every ratio taken against it that did not run in turn with its own.',
  );
}

/** A timed load of `url` with the run's connections, duration and warm-up. */
function timedLoad(label: string, url: string): LoadOptions {
  return {
    label,
    url,
    connections: CONNECTIONS,
    durationSec: DURATION_SEC,
    warmupSec: WARMUP_SEC,
  };
}

/** A load of a bare Fastify route answering a constant: "ok" or a 2 KiB body. */
function ceilingLoad(fastifyUrl: string, path: '/constant' | '/constant-bundle'): LoadOptions {
  return timedLoad(
    path === '/constant'
      ? 'bare Fastify route, constant "ok"'
      : 'bare Fastify route, constant 2 KiB body',
    `${fastifyUrl}${path}`,
  );
}

/** `expectStatuses` on both sides of a paired measurement. */
function expectPaired(
  paired: PairedFigures,
  measured: string[],
  baseline: string[],
): PairedFigures {
  expectStatuses(paired.measured, measured);
  expectStatuses(paired.baseline, baseline);
  return paired;
}

/** A pull run over `sample`: 304 with each battery's current ETag, or 200 with an outdated one. */
async function pullLoad(...pull: Parameters<typeof pullOptions>): Promise<LoadFigures> {
  const expect = pull[5];
  return expectStatuses(await load(pullOptions(...pull)), [expect]);
}

/** The load of `pullLoad`, to run alone or in turn with a baseline. */
function pullOptions(
  base: string,
  label: string,
  puller: Puller,
  sample: number[],
  etags: Map<number, string>,
  expect: '304' | '200',
): LoadOptions {
  let turn = 0;
  return {
    ...timedLoad(label, base),
    setupRequest: (request: autocannon.Request) => {
      const index = sample[turn++ % sample.length];
      const { path, headers } = puller.request(base, index);
      const ifNoneMatch = expect === '304' ? (etags.get(index) as string) : '"0.0"';
      return { ...request, path, headers: { ...headers, 'if-none-match': ifNoneMatch } };
    },
  };
}

/** Pulls: the Nest shell alone, unchanged (304), changed and already signed (200), changed and signed on the pull. */
async function pullComparisons(
  report: Report,
  service: ServiceProcess,
  pullers: { bearer: Puller; device?: Puller },
  sample: number[],
  etags: { bearer: Map<number, string>; device?: Map<number, string> },
  baselines: {
    ceiling: LoadFigures;
    ceilingBody: LoadFigures;
    /** Each of these ran in turn with its baseline. */
    jwks: PairedFigures;
    bearer: PairedFigures;
    device?: PairedFigures;
  },
): Promise<void> {
  const base = service.baseUrl;
  const group = 'Bundle pull';
  const jwks = baselines.jwks.measured;
  report.rows.push({
    group,
    measured: jwks,
    baseline: baselines.ceiling,
    note: "the service's HTTP shell alone: Fastify, the service's global hooks, the JWKS answer",
  });
  report.rows.push({
    group,
    measured: jwks,
    baseline: baselines.jwks.baseline,
    roundRatios: baselines.jwks.roundRatios,
    note: "the service's global hooks and the JWKS's larger answer, over Nest's empty route",
    goal: RATIO_GOALS.jwks,
    issue: ISSUE.jwks,
  });
  report.rows.push({
    group,
    measured: baselines.bearer.measured,
    baseline: baselines.ceiling,
    note: 'If-None-Match names the current bundle: token check, pull facts from memory, no body',
  });
  report.rows.push({
    group,
    measured: baselines.bearer.measured,
    baseline: baselines.bearer.baseline,
    roundRatios: baselines.bearer.roundRatios,
    note: 'the same requests from the same load generator (its per-request work on both sides); the baseline answers 304 without reading them',
    goal: RATIO_GOALS.bearer,
    issue: ISSUE.bearer,
  });
  const bearer200 = await pullLoad(
    base,
    'bundle pull, changed (200), Bearer token, already signed',
    pullers.bearer,
    sample,
    etags.bearer,
    '200',
  );
  report.rows.push({
    group,
    measured: bearer200,
    baseline: baselines.ceilingBody,
    note: 'the device holds an older bundle; the current one comes from the signed cache',
  });
  if (pullers.device && baselines.device && etags.device) {
    report.rows.push({
      group,
      measured: baselines.device.measured,
      baseline: baselines.ceiling,
      note: 'a fresh Ed25519 proof per request (signed by the load generator), verified and remembered against replay',
    });
    report.rows.push({
      group,
      measured: baselines.device.measured,
      baseline: baselines.device.baseline,
      roundRatios: baselines.device.roundRatios,
      note: 'the same proofs, made the same way; the baseline verifies them and answers 304, no database, no replay memory',
      goal: RATIO_GOALS.device,
      issue: ISSUE.device,
    });
    const device200 = await pullLoad(
      base,
      'bundle pull, changed (200), device proof, already signed',
      pullers.device,
      sample,
      etags.device,
      '200',
    );
    report.rows.push({
      group,
      measured: device200,
      baseline: baselines.ceilingBody,
      note: 'the envelope: bundle, delegation and root chain',
    });
  }
}

/** Each battery of `indexes` pulled once, none of them signed before (a changed bundle's first pull). */
async function coldPulls(
  base: string,
  puller: Puller,
  indexes: number[],
  fleetSize: number,
): Promise<LoadFigures> {
  let next = 0;
  return expectStatuses(
    await load({
      label: `bundle pull, changed (200), ${puller.label}, signed on this pull, fleet of ${fleetSize.toLocaleString('en')}`,
      url: base,
      connections: CONNECTIONS,
      amount: indexes.length,
      setupRequest: (request: autocannon.Request) => {
        const { path, headers } = puller.request(base, indexes[next++ % indexes.length]);
        return { ...request, path, headers };
      },
    }),
    ['200'],
  );
}

/** Key issuance over HTTP (distinct batteries; one hot battery) against raw appends to the store. */
async function commandComparisons(
  report: Report,
  service: ServiceProcess,
  tokens: Tokens,
  fleetSize: number,
  workDir: string,
): Promise<void> {
  const base = service.baseUrl;
  const group = 'Commands';
  const headers = { authorization: `Bearer ${tokens.owner}`, 'content-type': 'application/json' };
  const holderKeys = keyPool('bench-command-holder', 64);
  const keyBody = (holder: string, key: KeyPair) =>
    JSON.stringify({
      holder: { personId: holder, partyId: 'workshop' },
      publicKey: key.publicKey.jwk,
      capabilities: ['charge'],
      notAfter: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    });

  let issued = 0;
  let rawRounds = 0;
  // HTTP rounds in turn with the raw appends' rounds (a worker process each, its own store file).
  const distinct = await interleave(
    () =>
      load({
        label: 'issue a key over HTTP, distinct batteries',
        url: base,
        method: 'POST',
        connections: CONNECTIONS,
        durationSec: DURATION_SEC,
        rounds: 1,
        headers,
        setupRequest: (request: autocannon.Request) => {
          const i = issued++;
          // Battery i mod fleet; each pass over the fleet uses a key no battery has yet.
          const round = Math.floor(i / fleetSize);
          return {
            ...request,
            path: `/v1/batteries/${serialOf(i % fleetSize)}/keys`,
            body: keyBody(`bench-${round}`, holderKeys[round % holderKeys.length]),
          };
        },
      }),
    async () =>
      appendFigures(
        'raw append of one event to a new stream, SqliteEventStore, no HTTP, sequential',
        await runWorker<RawAppends>('raw-appends', {
          file: join(workDir, `raw-distinct-${rawRounds++}.db`),
          durationMs: DURATION_SEC * 1000,
        }),
      ),
    LOAD_ROUNDS,
  );
  expectStatuses(distinct.measured, ['201']);
  report.rows.push({
    group,
    measured: distinct.measured,
    baseline: distinct.baseline,
    roundRatios: distinct.roundRatios,
    note: `${CONNECTIONS} connections; each request another battery of the fleet`,
    goal: RATIO_GOALS.issuance,
    issue: ISSUE.issuance,
  });

  // One hot battery, provisioned now; every request issues it one more key.
  const hotSerial = 'HOT-0001';
  const provisioned = await fetch(`${base}/v1/batteries`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.provisioner}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      serial: hotSerial,
      model: 'T2-48V',
      chemistry: 'NMC',
      manufacturerId: 'oem',
      firstOwnerId: 'lessor-a',
      hardLimits: EXAMPLE_HARD_LIMITS,
      deviceKey: keyPairAt(DEVICE_KEY_LABEL, DEVICE_KEY_POOL + 1).publicKey.jwk,
    }),
  });
  if (provisioned.status !== 201)
    throw new Error(`provisioning ${hotSerial}: ${provisioned.status} ${await provisioned.text()}`);
  const hotKeys = keyPool('bench-hot-holder', 8000);
  let hotIssued = 0;
  const hotRun = (label: string) =>
    load({
      label,
      url: base,
      method: 'POST',
      connections: CONNECTIONS,
      durationSec: DURATION_SEC,
      headers,
      setupRequest: (request: autocannon.Request) => {
        const i = hotIssued++;
        return {
          ...request,
          path: `/v1/batteries/${hotSerial}/keys`,
          body: keyBody(`hot-${i}`, hotKeys[i % hotKeys.length]),
        };
      },
    });
  const hotFresh = expectStatuses(
    await hotRun('issue a key over HTTP, one hot battery, fresh stream'),
    ['201', '409'],
  );
  const afterFirst = await streamLength(base, hotSerial, tokens.owner);
  const hotLong = expectStatuses(
    await hotRun(`issue a key over HTTP, one hot battery, stream already at ${afterFirst} events`),
    ['201', '409'],
  );
  const afterSecond = await streamLength(base, hotSerial, tokens.owner);
  const rawHot = await runWorker<RawAppends>('raw-appends', {
    file: join(workDir, 'raw-hot.db'),
    durationMs: DURATION_SEC * 1000,
    stream: 'hot',
  });
  const rawHotFigures = appendFigures(
    'raw append of one event to one stream (expected revision), SqliteEventStore, no HTTP, sequential',
    rawHot,
  );
  report.rows.push({
    group,
    measured: hotFresh,
    baseline: rawHotFigures,
    note: `${CONNECTIONS} connections on one battery; a lost race is decided again up to 5 times, then 409`,
  });
  report.rows.push({
    group,
    measured: hotLong,
    baseline: rawHotFigures,
    note: `the same battery, ${afterFirst} → ${afterSecond} events during the run`,
  });
  report.hotStream = { before: afterFirst, after: afterSecond, fresh: hotFresh, long: hotLong };
}

/**
 * Comparisons on single batteries, in a service of their own (its own DATA_DIR: these batteries
 * stay out of the fleet's figures): the 304 pull of a battery with 1,000 keys against one with
 * 10, and a hot battery's sequential commands at 2,000 events against another at 100. The
 * batteries are written into the store by the fleet loader before the service starts; each pair
 * runs its rounds in turn.
 */
async function oneBatteryComparisons(
  report: Report,
  dataDir: string,
  newService: (options: ConstructorParameters<typeof ServiceProcess>[0]) => ServiceProcess,
): Promise<void> {
  const what = `The hot battery (commands/s at ${HOT_LONG.toLocaleString('en')} events against ${HOT_SHORT}) and the pull of a battery with ${MANY_KEYS.toLocaleString('en')} keys`;
  // One service start, two pull loads, the commands at a rate guessed low.
  const projectedMs =
    (10 +
      2 * (DURATION_SEC * LOAD_ROUNDS + WARMUP_SEC) +
      (2 * LOAD_ROUNDS * (HOT_COMMANDS + HOT_WARMUP)) / 30) *
    1000;
  if (elapsed() + projectedMs + TAIL_MS > BUDGET_MS) {
    report.missing.push(
      `${what}: would need ~${Math.round(projectedMs / 1000)} s, past the ${BUDGET_MS / 1000} s budget ` +
        `(${Math.round(elapsed() / 1000)} s already used).`,
    );
    return;
  }
  mkdirSync(dataDir, { recursive: true });
  const few = `KEYS-${KEYS_PER_BATTERY}`;
  const many = `KEYS-${MANY_KEYS}`;
  // A battery of each length per round: every round starts at the length it is named for.
  const rounds = [...Array(LOAD_ROUNDS).keys()];
  const shortHot = (round: number) => `HOT-SHORT-${round}`;
  const longHot = (round: number) => `HOT-LONG-${round}`;
  await runWorker('grow-batteries', {
    file: join(dataDir, 'events.db'),
    registerParties: true,
    batteries: [
      { serial: few, activeKeys: KEYS_PER_BATTERY, events: KEYS_PER_BATTERY + 1 },
      { serial: many, activeKeys: MANY_KEYS, events: MANY_KEYS + 1 },
      ...rounds.flatMap((round) => [
        { serial: shortHot(round), activeKeys: KEYS_PER_BATTERY, events: HOT_SHORT - HOT_WARMUP },
        { serial: longHot(round), activeKeys: KEYS_PER_BATTERY, events: HOT_LONG - HOT_WARMUP },
      ]),
    ],
  });
  const service = newService({ dataDir, readyTimeoutMs: 120_000 });
  try {
    const startMs = Date.now();
    await service.start();
    await service.waitCaughtUp(BUDGET_MS);
    log(
      `single batteries (${KEYS_PER_BATTERY} keys, ${MANY_KEYS} keys, hot at ${HOT_SHORT - HOT_WARMUP} and ${HOT_LONG - HOT_WARMUP} events) caught up in ${((Date.now() - startMs) / 1000).toFixed(1)} s`,
    );
    await service.waitAuditChecked(BUDGET_MS);
    const tokens = await fleetTokens(dataDir);

    const onePuller = (serial: string): Puller => ({
      label: 'Bearer token',
      request: () => ({
        path: `/v1/batteries/${serial}/bundle`,
        headers: { authorization: `Bearer ${tokens.owner}` },
      }),
    });
    const pullOne = async (serial: string, keys: number) => {
      const puller = onePuller(serial);
      const etags = await prePull(service.baseUrl, [0], puller);
      return pullOptions(
        service.baseUrl,
        `bundle pull, unchanged (304), Bearer token, one battery with ${keys.toLocaleString('en')} keys`,
        puller,
        [0],
        etags,
        '304',
      );
    };
    const pulls = expectPaired(
      await pairedLoads(await pullOne(many, MANY_KEYS), await pullOne(few, KEYS_PER_BATTERY)),
      ['304'],
      ['304'],
    );
    report.rows.push({
      group: 'Bundle pull',
      measured: pulls.measured,
      baseline: pulls.baseline,
      roundRatios: pulls.roundRatios,
      note: `${CONNECTIONS} connections on the one battery; both batteries in a service of their own (loaded by the fleet loader)`,
      goal: RATIO_GOALS.manyKeys,
      issue: ISSUE.manyKeys,
    });
    log(
      `one battery, 304: ${Math.round(pulls.measured.perSecond)} req/s with ${MANY_KEYS} keys, ${Math.round(pulls.baseline.perSecond)} req/s with ${KEYS_PER_BATTERY}`,
    );

    // The hot batteries, their rounds in turn: each round takes the next battery of its length,
    // HOT_WARMUP commands on it unmeasured (its first load folds the whole stream), then
    // HOT_COMMANDS measured. Key pairs are disjoint: no public key is given to two batteries.
    const round = (serial: (round: number) => string, firstPair: number) => {
      let next = 0;
      return async () => {
        const battery = next++;
        const pairs = firstPair + battery * (HOT_WARMUP + HOT_COMMANDS);
        const run = (pair: number, count: number) =>
          sequentialCommands(service.baseUrl, serial(battery), tokens.owner, pair, count);
        await run(pairs, HOT_WARMUP);
        return run(pairs + HOT_WARMUP / 2, HOT_COMMANDS);
      };
    };
    const hot = await interleave(round(longHot, 1_000_000), round(shortHot, 0), LOAD_ROUNDS);
    report.rows.push({
      group: 'Commands',
      measured: hot.measured,
      baseline: hot.baseline,
      roundRatios: hot.roundRatios,
      note:
        `one client, one command after the other, key issued then revoked (the active keys stay ${KEYS_PER_BATTERY}); ` +
        `a battery of each length per round, grown by the fleet loader before the start; ${HOT_WARMUP} commands on it unmeasured, then ${HOT_COMMANDS} measured`,
      goal: RATIO_GOALS.hot,
      issue: ISSUE.hot,
    });
    log(
      `hot battery, sequential: ${Math.round(hot.measured.perSecond)} commands/s at ${HOT_LONG} events, ${Math.round(hot.baseline.perSecond)} at ${HOT_SHORT}`,
    );
  } finally {
    await service.stop();
  }
}

/**
 * `count` commands on one battery, one after the other from one client: a key issued, then that
 * key revoked, and so on (`count` even). Key pairs from `firstPair` on.
 */
async function sequentialCommands(
  base: string,
  serial: string,
  token: string,
  firstPair: number,
  count: number,
): Promise<LoadFigures> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const notAfter = new Date(Date.now() + 365 * 86_400_000).toISOString();
  const before = await streamLength(base, serial, token);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const startedAt = performance.now();
  for (let i = 0; i < count; i++) {
    const pair = firstPair + Math.floor(i / 2);
    const keyId = `seq-${pair}`;
    const issue = i % 2 === 0;
    const t = performance.now();
    const response = await fetch(
      issue
        ? `${base}/v1/batteries/${serial}/keys`
        : `${base}/v1/batteries/${serial}/keys/${keyId}/revoke`,
      {
        method: 'POST',
        headers,
        body: JSON.stringify(
          issue
            ? {
                keyId,
                holder: { personId: 'seq', partyId: 'workshop' },
                publicKey: keyPairAt('bench-hot-sequential', pair).publicKey.jwk,
                capabilities: ['charge'],
                notAfter,
              }
            : { reason: 'bench: the next command' },
        ),
      },
    );
    const text = await response.text();
    if (response.status !== (issue ? 201 : 200))
      throw new Error(
        `${issue ? 'issue' : 'revoke'} ${keyId} on ${serial}: ${response.status} ${text.slice(0, 300)}`,
      );
    latencies.push(performance.now() - t);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const after = await streamLength(base, serial, token);
  latencies.sort((a, b) => a - b);
  return {
    label: `one hot battery, ${count} commands one after the other, stream at ${before.toLocaleString('en')} → ${after.toLocaleString('en')} events`,
    requests: count,
    seconds,
    perSecond: count / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    statuses,
    errors: 0,
  };
}

/**
 * `indexes` pull their bundle and keep its ETag; the service stops (SIGTERM) and starts again on
 * the same DATA_DIR; each pulls again with If-None-Match = that ETag. Counts the 200s.
 */
async function restartPulls(
  service: ServiceProcess,
  puller: Puller,
  indexes: number[],
  fleetSize: number,
): Promise<RestartFigures> {
  const etags = await prePull(service.baseUrl, indexes, puller);
  const restartMs = Date.now();
  await service.stop();
  await service.start();
  await service.waitCaughtUp(BUDGET_MS);
  const restartSeconds = (Date.now() - restartMs) / 1000;
  const pullMs = Date.now();
  const counts = { notModified: 0, downloaded: 0, other: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < indexes.length) {
        const index = indexes[next++];
        const { path, headers } = puller.request(service.baseUrl, index);
        const response = await fetch(`${service.baseUrl}${path}`, {
          headers: { ...headers, 'if-none-match': etags.get(index) as string },
        });
        await response.arrayBuffer();
        if (response.status === 304) counts.notModified++;
        else if (response.status === 200) counts.downloaded++;
        else counts.other++;
      }
    }),
  );
  const figures: RestartFigures = {
    batteries: indexes.length,
    fleetSize,
    route: puller.label,
    ...counts,
    restartSeconds,
    pullSeconds: (Date.now() - pullMs) / 1000,
  };
  log(
    `restart: ${counts.downloaded} of ${indexes.length} downloaded again, ${counts.notModified} kept (304), ${counts.other} other`,
  );
  return figures;
}

/** Issue 11's rebuild figure: a rebuild from scratch (the read model deleted, the store replayed), log on. */
function rebuildFigures(run: CatchUpRun, loadResult: LoadResult): RebuildFigures {
  return {
    events: run.events,
    seconds: run.seconds,
    eventsPerSecond: run.eventsPerSecond,
    rawInsertsPerSecond: loadResult.insertsPerSecond,
    rawInsertEvents: loadResult.events,
  };
}

/**
 * Issue 13 at the largest fleet measured: the tree's bytes per event (dbstat), then inclusion
 * proofs against the checkpoint covering the whole tree, under the pulls' load and alone.
 */
async function auditLogAtLargestFleet(
  report: Report,
  service: ServiceProcess,
  dataDir: string,
): Promise<void> {
  const largest = report.fleet[report.fleet.length - 1];
  if (!largest) return;
  const what = `fleet of ${largest.batteries.toLocaleString('en')}`;
  if (!(await auditLogRuns(service.baseUrl))) {
    report.missing.push(
      `Audit log storage and inclusion proofs (${what}): the service under test has no audit log (no \`/.well-known/audit-log-key\`).`,
    );
    return;
  }
  report.auditLog!.storage = treeStorage(
    dataDir,
    largest.batteries,
    fileBytes(dataDir, 'read-model.db'),
  );
  const storage = report.auditLog!.storage;
  const bytes = storage.tables.reduce((sum, table) => sum + table.bytes, 0);
  log(
    `audit log: ${(bytes / storage.leaves).toFixed(1)} bytes of tree per event (${storage.leaves.toLocaleString('en')} leaves)`,
  );
  // A checkpoint (one every 2 s), 50 proofs checked, a run under load, a short one alone.
  const projectedMs =
    (10 + WARMUP_SEC + DURATION_SEC * LOAD_ROUNDS + Math.min(DURATION_SEC, 3)) * 1000;
  if (elapsed() + projectedMs + 10_000 > BUDGET_MS) {
    report.missing.push(
      `Inclusion-proof latency (${what}): would need ~${Math.round(projectedMs / 1000)} s, past the ${BUDGET_MS / 1000} s budget ` +
        `(${Math.round(elapsed() / 1000)} s already used).`,
    );
    return;
  }
  const proofs = await inclusionProofs({
    service,
    dataDir,
    token: (await fleetTokens(dataDir)).owner,
    batteries: largest.batteries,
    baseline: largest.pull304,
    connections: CONNECTIONS,
    durationSec: DURATION_SEC,
    warmupSec: WARMUP_SEC,
  });
  report.auditLog!.proofs = proofs;
  log(
    `inclusion proofs (${what}, tree of ${proofs.treeSize}): p99 ${proofs.loaded.p99Ms.toFixed(2)} ms at ${Math.round(proofs.loaded.perSecond)} req/s, ` +
      `p99 ${proofs.single.p99Ms.toFixed(2)} ms alone`,
  );
}

/**
 * Sentences computed from the figures (the tables carry the numbers; these say what they mean).
 * They state what was measured, not why: the service changes under this bench, and a reason
 * written here would outlive the code it described.
 */
function findings(report: Report): string[] {
  const notes: string[] = [];
  const row = (prefix: string) => report.rows.find((r) => r.measured.label.startsWith(prefix));
  const pct = (a: number, b: number) => `${Math.round((a / b) * 100)} %`;
  /** A row's ratio as a percentage: the median of its rounds in turn when it ran that way. */
  const pctOf = (comparison: ComparisonRow) =>
    `${Math.round(rowRatio(comparison) * 100)} %${comparison.roundRatios ? ' (rounds in turn)' : ''}`;
  const int = (n: number) => Math.round(n).toLocaleString('en');
  const jwks = row('JWKS route');
  const nest = report.rows.find((r) => r.issue === ISSUE.jwks);
  const bearer = row('bundle pull, unchanged (304), Bearer');
  const device = row('bundle pull, unchanged (304), device');
  if (jwks) {
    notes.push(
      `The JWKS route (no token, no database; answered by a Fastify hook before Nest's router) reaches ${pct(jwks.measured.perSecond, jwks.baseline.perSecond)} of a bare Fastify route` +
        (nest
          ? ` and ${pctOf(nest)} of an empty route of a bare Nest 11 app on Fastify: ` +
            "the rest is the service's global hooks (request id, drain, media type) and a larger answer (the key set and three headers more, where the empty route sends no body)."
          : '.') +
        (bearer
          ? ` An unchanged-bundle pull (Bearer token, read-model lookup) reaches ${pct(bearer.measured.perSecond, jwks.measured.perSecond)} of the JWKS route.`
          : ''),
    );
  }
  const proof = report.rows.find((r) => r.issue === ISSUE.device);
  if (bearer && device) {
    notes.push(
      `Device-authenticated pulls run at ${pct(device.measured.perSecond, bearer.measured.perSecond)} of Bearer pulls: every request carries a new ` +
        'proof, verified (Ed25519) and remembered against replay, and the load generator signs each proof on the same two cores' +
        (proof
          ? `; a bare Fastify route verifying the same proofs answers ${int(proof.baseline.perSecond)}/s, so the service reaches ${pctOf(proof)} of that.`
          : '.'),
    );
  }
  const distinct = row('issue a key over HTTP, distinct');
  if (distinct) {
    notes.push(
      `Key issuance over HTTP (16 connections) reaches ${pctOf(distinct)} of raw sequential appends ` +
        "to the same kind of store file, each its own fsync'd transaction as a command's append is.",
    );
  }
  const sequential = report.rows.find((r) => r.issue === ISSUE.hot);
  if (report.hotStream) {
    const h = report.hotStream;
    notes.push(
      `One hot battery under ${CONNECTIONS} connections: ${int(h.fresh.perSecond)} commands/s on a fresh stream, ` +
        `${int(h.long.perSecond)} commands/s once it holds ${h.before}–${h.after} events.` +
        (sequential
          ? ` From one client, one command after the other: ${int(sequential.measured.perSecond)} commands/s at ${HOT_LONG.toLocaleString('en')} events, ` +
            `${int(sequential.baseline.perSecond)} at ${HOT_SHORT} (${pctOf(sequential)}).`
          : ''),
    );
  }
  const manyKeys = report.rows.find((r) => r.issue === ISSUE.manyKeys);
  if (manyKeys) {
    notes.push(
      `An unchanged pull of a battery with ${MANY_KEYS.toLocaleString('en')} keys runs at ${pctOf(manyKeys)} ` +
        `of the same pull of a battery with ${KEYS_PER_BATTERY} keys (p99 ${manyKeys.measured.p99Ms.toFixed(1)} against ${manyKeys.baseline.p99Ms.toFixed(1)} ms).`,
    );
  }
  if (report.restart) {
    const r = report.restart;
    notes.push(
      `After a restart on the same data directory, ${int(r.downloaded)} of ${int(r.batteries)} devices that held their ` +
        `current bundle downloaded it again (${int(r.notModified)} answered 304).`,
    );
  }
  if (report.rebuild) {
    notes.push(
      `The read model is rebuilt at ${int(report.rebuild.eventsPerSecond)} events/s, ` +
        `${pct(report.rebuild.eventsPerSecond, report.rebuild.rawInsertsPerSecond)} of the store's raw insert rate.`,
    );
  }
  const fleet = report.fleet;
  if (fleet.length >= 2) {
    const first = fleet[0];
    const last = fleet[fleet.length - 1];
    notes.push(
      `From ${int(first.batteries)} to ${int(last.batteries)} batteries the unchanged-pull p99 goes ` +
        `${first.pull304.p99Ms.toFixed(1)} → ${last.pull304.p99Ms.toFixed(1)} ms and the service's RSS ${int(first.rssBytes / 2 ** 20)} → ` +
        `${int(last.rssBytes / 2 ** 20)} MiB.`,
    );
  }
  const last = fleet[fleet.length - 1];
  if (last?.storeBytes && last.readModelBytes) {
    const perBattery = (bytes: number) => (bytes / last.batteries / 1024).toFixed(1);
    notes.push(
      `On disk, per battery with 10 keys (fleet of ${int(last.batteries)}): ${perBattery(last.storeBytes)} KiB of event store and ${perBattery(last.readModelBytes)} KiB of read model ` +
        `(about ${(((last.storeBytes / last.batteries) * 1e6) / 2 ** 30).toFixed(0)} GiB and ${(((last.readModelBytes / last.batteries) * 1e6) / 2 ** 30).toFixed(0)} GiB ` +
        'for a million batteries).',
    );
  }
  if (last) {
    const rate = last.catchUpEventsPerSecond;
    const million = 11_000_000;
    notes.push(
      `Catch-up ran at ${int(rate)} events/s on the largest fleet measured` +
        (fleet.length >= 2
          ? ` (${int(fleet[0].catchUpEventsPerSecond)} events/s on the smallest)`
          : '') +
        `. At that rate a new instance (or a lost read model) of a 1,000,000-battery fleet ` +
        `(${int(million)} events) needs ~${Math.round(million / rate / 60)} minutes before it has caught up; it answers meanwhile (/health shows the progress).`,
    );
  }
  return notes;
}

/** Size of a SQLite file with its -wal and -shm companions. */
function fileBytes(dir: string, name: string): number {
  return ['', '-wal', '-shm'].reduce(
    (sum, suffix) =>
      sum + (existsSync(join(dir, name + suffix)) ? statSync(join(dir, name + suffix)).size : 0),
    0,
  );
}

function appendFigures(label: string, raw: RawAppends): LoadFigures {
  return {
    label,
    requests: raw.appends,
    seconds: raw.ms / 1000,
    perSecond: raw.perSecond,
    p50Ms: raw.p50Ms,
    p99Ms: raw.p99Ms,
    statuses: {},
    errors: 0,
  };
}

async function streamLength(base: string, serial: string, token: string): Promise<number> {
  const response = await fetch(`${base}/v1/batteries/${serial}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  return Number((response.headers.get('etag') ?? '"-1"').replace(/\D/g, '')) + 1;
}

/** `count` distinct battery indexes spread uniformly over the fleet, avoiding ones already signed where possible. */
function sampleIndexes(size: number, count: number, avoid: Set<number>): number[] {
  const chosen = new Set<number>();
  const step = size / count;
  for (let i = 0; i < count; i++) {
    const from = Math.floor(i * step);
    let index = from + Math.floor(Math.random() * step);
    for (let k = 0; k < step && avoid.has(index); k++)
      index = from + ((index - from + 1) % Math.max(1, Math.floor(step)));
    chosen.add(Math.min(index, size - 1));
  }
  return [...chosen];
}

/** Pulls each sampled battery once (its bundle gets signed) and keeps its ETag. */
async function prePull(
  base: string,
  indexes: number[],
  puller: Puller,
): Promise<Map<number, string>> {
  const etags = new Map<number, string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < indexes.length) {
        const index = indexes[next++];
        const { path, headers } = puller.request(base, index);
        const response = await fetch(`${base}${path}`, { headers });
        const text = await response.text();
        if (response.status !== 200)
          throw new Error(
            `pull ${path} (${puller.label}): ${response.status} ${text.slice(0, 300)}`,
          );
        etags.set(index, response.headers.get('etag') as string);
      }
    }),
  );
  return etags;
}

/** A baseline server of bench/support (bare Fastify, bare Nest), up as its own child process. */
interface Helper {
  url: string;
  stop(): Promise<void>;
}

/** A baseline server of bench/support (bare Fastify, bare Nest) as its own child process. */
async function startHelper(build: ServiceBuild, script: string): Promise<Helper> {
  const child = spawn(process.execPath, [builtScript(build, script)], {
    env: { PATH: process.env.PATH ?? '', NODE_PATH: buildNodePath() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
