/**
 * `npm run bench`: starts the service as a child process on 127.0.0.1 with a temporary data
 * directory, measures it next to a baseline taken in the same run (so the ratios hold on a noisy
 * machine), prints a table and writes docs/benchmarks.md. Bounded by BENCH_BUDGET_SEC (570 s): a
 * fleet size whose load and catch-up would not fit is skipped, and the document says so.
 *
 * Settings (environment): BENCH_DURATION_SEC (5), BENCH_CONNECTIONS (16),
 * BENCH_FLEET_SIZES (1000,10000,100000,1000000), BENCH_BUDGET_SEC (570), BENCH_SOURCE (a git
 * revision to measure instead of the working tree), BENCH_OUT (docs/benchmarks.md).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import { expectStatuses, load, type LoadFigures } from './support/load';
import { describeMachine } from './support/machine';
import { renderReport, type RebuildFigures, type Report } from './support/report';
import { runWorker, ServiceProcess } from './support/service-process';
import { fleetTokens } from './support/tokens';
import { EXAMPLE_HARD_LIMITS } from '../src/device-simulator/simulated-fleet';

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
/** Time kept for what follows the last fleet step (pulls, stop, report). */
const TAIL_MS = 40_000;
/** Rough bulk-load rate (events/s) for the budget check before a step; the real one is measured. */
const LOAD_RATE_GUESS = 30_000;
const DEVICE_ROUTE = '/v1/devices/{serial}/bundle';

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
    settings: {
      BENCH_DURATION_SEC: DURATION_SEC,
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
  let bare: { stop: () => Promise<void> } | undefined;
  const cleanUp = async () => {
    await service?.kill().catch(() => undefined);
    await bare?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));

  try {
    // 1. The ceiling for Node HTTP here: a bare Fastify route, same load generator, same cores.
    const fastify = await startBareFastify(build);
    bare = fastify;
    const ceiling = expectStatuses(
      await load({
        label: 'bare Fastify route, constant "ok"',
        url: `${fastify.url}/constant`,
        connections: CONNECTIONS,
        durationSec: DURATION_SEC,
        warmupSec: WARMUP_SEC,
      }),
      ['200'],
    );
    const ceilingBody = expectStatuses(
      await load({
        label: 'bare Fastify route, constant 2 KiB body',
        url: `${fastify.url}/constant-bundle`,
        connections: CONNECTIONS,
        durationSec: DURATION_SEC,
        warmupSec: WARMUP_SEC,
      }),
      ['200'],
    );
    await fastify.stop();
    bare = undefined;
    log(`ceiling ${Math.round(ceiling.perSecond)} req/s`);

    // 2. The fleet, grown in steps; the first step also carries the detailed comparisons.
    const dataDir = join(workDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const devices = keyPool(DEVICE_KEY_LABEL, DEVICE_KEY_POOL);
    let loaded = 0;
    let totalEvents = 0;
    let catchUpRate: number | undefined;
    const signed = new Set<number>();
    let coldMeasured = false;
    let deviceRoute: boolean | undefined;

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

      service = new ServiceProcess({ dataDir, readyTimeoutMs: 120_000 });
      const started = Date.now();
      await service.start();
      await service.waitCaughtUp(BUDGET_MS);
      const catchUpMs = Date.now() - started;
      catchUpRate = loadResult.events / (catchUpMs / 1000);
      log(
        `service caught up ${loadResult.events.toLocaleString('en')} new events in ${(catchUpMs / 1000).toFixed(1)} s (${Math.round(catchUpRate)} events/s)`,
      );

      const tokens = await fleetTokens(dataDir);
      deviceRoute ??= await hasDeviceRoute(service.baseUrl);
      const bearer = bearerPuller(tokens);
      const device = deviceRoute ? devicePuller(devices) : undefined;

      // Unchanged-bundle pulls over a uniform sample of the fleet, each with its current ETag.
      const sample = sampleIndexes(size, Math.min(PULL_SAMPLE, size), signed);
      const bearerEtags = await prePull(service.baseUrl, sample, bearer);
      sample.forEach((index) => signed.add(index));
      const pull304 = await pullLoad(
        service.baseUrl,
        `bundle pull, unchanged (304), Bearer token, fleet of ${size.toLocaleString('en')}`,
        bearer,
        sample,
        bearerEtags,
        '304',
      );
      let devicePull304: LoadFigures | undefined;
      let deviceEtags: Map<number, string> | undefined;
      if (device) {
        deviceEtags = await prePull(service.baseUrl, sample, device);
        devicePull304 = await pullLoad(
          service.baseUrl,
          `bundle pull, unchanged (304), device proof, fleet of ${size.toLocaleString('en')}`,
          device,
          sample,
          deviceEtags,
          '304',
        );
      }
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
        rssBytes: rss,
        storeBytes: fileBytes(dataDir, 'events.db'),
        readModelBytes: fileBytes(dataDir, 'read-model.db'),
      });
      log(
        `fleet ${size}: 304 p99 ${pull304.p99Ms.toFixed(1)} ms at ${Math.round(pull304.perSecond)} req/s; RSS ${(rss / 2 ** 20).toFixed(0)} MiB`,
      );

      if (report.fleet.length === 1) {
        await pullComparisons(
          report,
          service,
          { bearer, device },
          sample,
          { bearer: bearerEtags, device: deviceEtags },
          { ceiling, ceilingBody, pull304, devicePull304 },
        );
        await commandComparisons(report, service, tokens, size, workDir);
        if (!device) {
          report.missing.push(
            'Device-authenticated bundle pull (a signed proof per request): the service under test has no ' +
              `\`GET ${DEVICE_ROUTE}\` in its OpenAPI document, so every pull above authenticates with a person's Bearer token.`,
          );
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
      if (!report.rebuild && (report.fleet.length === 2 || FLEET_SIZES.length === 1)) {
        report.rebuild = await rebuildFromScratch(service, dataDir, loadResult);
        catchUpRate = Math.min(catchUpRate, report.rebuild.eventsPerSecond);
      }
    }
    await service?.stop();
    service = undefined;
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
      '(`BENCH_FLEET_SIZES=1000,10000,1000000 BENCH_BUDGET_SEC=20000 BENCH_OUT=bench/results/fleet-1m.md npm run bench`).';
  }
  report.notes.push(...findings(report));
  const markdown = renderReport(report);
  writeFileSync(OUT, markdown);
  process.stdout.write(`${markdown}\n`);
  log(`wrote ${OUT}`);
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

/** A pull run over `sample`: 304 with each battery's current ETag, or 200 with an outdated one. */
async function pullLoad(
  base: string,
  label: string,
  puller: Puller,
  sample: number[],
  etags: Map<number, string>,
  expect: '304' | '200',
): Promise<LoadFigures> {
  let turn = 0;
  return expectStatuses(
    await load({
      label,
      url: base,
      connections: CONNECTIONS,
      durationSec: DURATION_SEC,
      warmupSec: WARMUP_SEC,
      setupRequest: (request: autocannon.Request) => {
        const index = sample[turn++ % sample.length];
        const { path, headers } = puller.request(base, index);
        const ifNoneMatch = expect === '304' ? (etags.get(index) as string) : '"0.0"';
        return { ...request, path, headers: { ...headers, 'if-none-match': ifNoneMatch } };
      },
    }),
    [expect],
  );
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
    pull304: LoadFigures;
    devicePull304?: LoadFigures;
  },
): Promise<void> {
  const base = service.baseUrl;
  const group = 'Bundle pull';
  const jwks = expectStatuses(
    await load({
      label: 'Nest route without token or database (JWKS)',
      url: `${base}/.well-known/jwks.json`,
      connections: CONNECTIONS,
      durationSec: DURATION_SEC,
      warmupSec: WARMUP_SEC,
    }),
    ['200'],
  );
  report.rows.push({
    group,
    measured: jwks,
    baseline: baselines.ceiling,
    note: 'the framework alone: Nest + Fastify + global guard, interceptors, logger',
  });
  report.rows.push({
    group,
    measured: baselines.pull304,
    baseline: baselines.ceiling,
    note: 'If-None-Match names the current bundle: token check, read-model lookup, no body',
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
  if (pullers.device && baselines.devicePull304 && etags.device) {
    report.rows.push({
      group,
      measured: baselines.devicePull304,
      baseline: baselines.ceiling,
      note: 'a fresh Ed25519 proof per request (signed by the load generator), verified and remembered against replay',
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
  const distinct = expectStatuses(
    await load({
      label: 'issue a key over HTTP, distinct batteries',
      url: base,
      method: 'POST',
      connections: CONNECTIONS,
      durationSec: DURATION_SEC,
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
    ['201'],
  );
  const raw = await runWorker<RawAppends>('raw-appends', {
    file: join(workDir, 'raw-distinct.db'),
    durationMs: DURATION_SEC * 1000,
  });
  report.rows.push({
    group,
    measured: distinct,
    baseline: appendFigures(
      'raw append of one event to a new stream, SqliteEventStore, no HTTP, sequential',
      raw,
    ),
    note: `${CONNECTIONS} connections; each request another battery of the fleet`,
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

/** The whole read model deleted, the service restarted: it replays the store from the first event. */
async function rebuildFromScratch(
  service: ServiceProcess,
  dataDir: string,
  loadResult: LoadResult,
): Promise<RebuildFigures> {
  await service.stop();
  for (const file of ['read-model.db', 'read-model.db-wal', 'read-model.db-shm'])
    rmSync(join(dataDir, file), { force: true });
  const started = Date.now();
  await service.start();
  await service.waitCaughtUp(BUDGET_MS);
  const seconds = (Date.now() - started) / 1000;
  const events = Number((await service.progress()).head);
  log(`rebuild from scratch: ${events.toLocaleString('en')} events in ${seconds.toFixed(1)} s`);
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    rawInsertsPerSecond: loadResult.insertsPerSecond,
    rawInsertEvents: loadResult.events,
  };
}

/** Sentences computed from the figures (the tables carry the numbers; these say what they mean). */
function findings(report: Report): string[] {
  const notes: string[] = [];
  const row = (prefix: string) => report.rows.find((r) => r.measured.label.startsWith(prefix));
  const pct = (a: number, b: number) => `${Math.round((a / b) * 100)} %`;
  const jwks = row('Nest route');
  const bearer = row('bundle pull, unchanged (304), Bearer');
  const device = row('bundle pull, unchanged (304), device');
  if (jwks && bearer) {
    notes.push(
      `A Nest route that does nothing (JWKS) reaches ${pct(jwks.measured.perSecond, jwks.baseline.perSecond)} of a bare Fastify route: ` +
        'per request the Nest pipeline runs the global guard, two global interceptors (each wraps the handler in RxJS and ' +
        "AsyncResource.bind, which on Node 20 builds deprecate() wrappers every call) and pino-http's per-request logger. " +
        `An unchanged-bundle pull reaches ${pct(bearer.measured.perSecond, jwks.measured.perSecond)} of that empty route: ` +
        "the rest is the Bearer token's ES256 verification and the read-model lookup, which parses the battery's whole state on every pull, a 304 included.",
    );
  }
  if (bearer && device) {
    notes.push(
      `Device-authenticated pulls run at ${pct(device.measured.perSecond, bearer.measured.perSecond)} of Bearer pulls: every request carries a new ` +
        'proof, verified (Ed25519) and remembered against replay, and the load generator signs each proof on the same two cores.',
    );
  }
  const distinct = row('issue a key over HTTP, distinct');
  if (distinct) {
    notes.push(
      `Key issuance over HTTP reaches ${pct(distinct.measured.perSecond, distinct.baseline.perSecond)} of raw appends. A command holds the ` +
        "single event loop twice on synchronous SQLite (the append's fsync'd commit, then the read-model transaction it waits for " +
        'to read its own write), besides the token check, validation and key import; concurrent commands queue behind each other.',
    );
  }
  if (report.hotStream) {
    const h = report.hotStream;
    notes.push(
      `One hot battery slows down as its stream grows: ${Math.round(h.fresh.perSecond)} commands/s on a fresh stream, ` +
        `${Math.round(h.long.perSecond)} commands/s once it holds ${h.before}–${h.after} events. Every command reads and folds the whole stream, ` +
        'and the batteries projection rewrites the whole state (all keys in one JSON) for every event.',
    );
  }
  if (report.rebuild) {
    notes.push(
      `The read model is rebuilt at ${Math.round(report.rebuild.eventsPerSecond).toLocaleString('en')} events/s, ` +
        `${Math.round(report.rebuild.rawInsertsPerSecond / report.rebuild.eventsPerSecond)}× below the store's raw insert rate. ` +
        "Per event the batteries projection reads, parses, folds, serialises and rewrites the battery's whole state (~4 KB with 10 keys), " +
        'and the audit projection inserts a row under three indexes.',
    );
  }
  const fleet = report.fleet;
  if (fleet.length >= 2) {
    const first = fleet[0];
    const last = fleet[fleet.length - 1];
    notes.push(
      `From ${first.batteries.toLocaleString('en')} to ${last.batteries.toLocaleString('en')} batteries the unchanged-pull p99 goes ` +
        `${first.pull304.p99Ms.toFixed(1)} → ${last.pull304.p99Ms.toFixed(1)} ms and the service's RSS ${(first.rssBytes / 2 ** 20).toFixed(0)} → ` +
        `${(last.rssBytes / 2 ** 20).toFixed(0)} MiB: a pull costs the same in a larger fleet and memory does not grow with it (the read model ` +
        'stays on disk; the signed-bundle cache holds the batteries pulled, up to 200,000).',
    );
    if (last.storeBytes && last.readModelBytes) {
      const perBattery = (bytes: number) => (bytes / last.batteries / 1024).toFixed(1);
      notes.push(
        `On disk, per battery with 10 keys: ${perBattery(last.storeBytes)} KiB of event store and ${perBattery(last.readModelBytes)} KiB of read model ` +
          `(about ${(((last.storeBytes / last.batteries) * 1e6) / 2 ** 30).toFixed(0)} GiB and ${(((last.readModelBytes / last.batteries) * 1e6) / 2 ** 30).toFixed(0)} GiB ` +
          'for a million batteries). The read model is the larger: each battery row holds its whole state as JSON, and the audit table copies every event with three indexes.',
      );
    }
    const rate = last.catchUpEventsPerSecond;
    const million = 11_000_000;
    notes.push(
      `Catch-up runs at ${Math.round(rate).toLocaleString('en')} events/s on the largest fleet measured, about as fast as on the smaller ones: ` +
        `its cost is per event, not per fleet size. At that rate a new instance (or a lost read model) of a 1,000,000-battery fleet ` +
        `(${million.toLocaleString('en')} events) needs ~${Math.round(million / rate / 60)} minutes before it has caught up; it answers meanwhile (/health shows the progress).`,
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

async function startBareFastify(
  build: ServiceBuild,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [builtScript(build, 'bench/support/bare-fastify')], {
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
