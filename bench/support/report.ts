import type { AuditPageFigures } from './audit-page';
import { pairedRatio, type LoadFigures } from './load';
import type { Machine } from './machine';

export interface ComparisonRow {
  group: string;
  measured: LoadFigures;
  baseline: LoadFigures;
  note: string;
  /** The issue's goal for this ratio (throughput over baseline), when it sets one. */
  goal?: number;
  /** The line of the issue's table this row answers (bench/support/goals.ts). */
  issue?: string;
  /**
   * Set when the measured and baseline rounds ran in turn (bench/support/load.ts `interleave`):
   * the ratio of each pair of adjacent rounds. The row's ratio is then their median.
   */
  roundRatios?: number[];
}

/** A row's throughput ratio: the median of its paired rounds, or its two median rounds' ratio. */
export function rowRatio(row: ComparisonRow): number {
  return row.roundRatios && row.roundRatios.length > 0
    ? pairedRatio(row.roundRatios)
    : row.measured.perSecond / row.baseline.perSecond;
}

/** A goal on a ratio, and whether `value` meets it: "≥ 0.8×: met". */
export function goalVerdict(value: number, goal: number): string {
  return `≥ ${goal}×: ${value >= goal ? 'met' : 'not met'}`;
}

export interface FleetRow {
  batteries: number;
  events: number;
  loadSeconds: number;
  loadEventsPerSecond: number;
  /** Start of the service until its read model has the store's head (this step's new events). */
  catchUpSeconds: number;
  catchUpEventsPerSecond: number;
  pull304: LoadFigures;
  /** The same pulls through the device-authenticated route, when the service has it. */
  devicePull304?: LoadFigures;
  /** The first page of lessor-a's acts in the audit view, one request at a time. */
  auditPage?: AuditPageFigures;
  /**
   * This fleet's Bearer 304 pulls in turn with the same pulls on a copy of the smallest fleet,
   * kept up for the run (absent on the smallest fleet itself): the p99 ratio is
   * the median of adjacent rounds', so the machine's drift between fleet steps does not count.
   */
  againstSmallest?: { p99Ratio: number; smallest: LoadFigures };
  rssBytes: number;
  /** Bytes on disk: the event store file and the read-model file (with their WAL). */
  storeBytes?: number;
  readModelBytes?: number;
}

export interface RebuildFigures {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  rawInsertsPerSecond: number;
  rawInsertEvents: number;
}

/** One line of the issue's table: a figure, its baseline in the same run, the goal and whether it is met. */
export interface GoalRow {
  what: string;
  measured: string;
  baseline: string;
  ratio: string;
  goal: string;
  /** 'yes', 'no', or why it cannot be said (not measured, projected). */
  met: string;
}

/** One read-model rebuild from scratch (read model deleted, service started, store replayed). */
export interface CatchUpRun {
  /** Whether the audit log ran (AUDIT_LOG_ENABLED). */
  auditLog: boolean;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/** Issue 13: what the audit log costs, each figure on the fleet it was measured on. */
export interface AuditLogFigures {
  /** The same store rebuilt with the log off and on, interleaved. */
  catchUp?: { batteries: number; runs: CatchUpRun[] };
  /** Inclusion proofs of random leaves against the newest checkpoint. */
  proofs?: {
    batteries: number;
    treeSize: number;
    /** CONNECTIONS at once, as the pulls are measured. */
    loaded: LoadFigures;
    /** One request at a time: the latency without queueing. */
    single: LoadFigures;
    /** The Bearer 304 pull on the same fleet (its p99 is the same-run reference). */
    baseline: LoadFigures;
    /** Proofs checked against the checkpoint's root (RFC 9162 §2.1.3.2) before the runs. */
    verified: number;
  };
  /** The audit log's tables in read-model.db, from SQLite's dbstat (pages, not file size). */
  storage?: {
    batteries: number;
    leaves: number;
    tables: { name: string; bytes: number }[];
    /** read-model.db with its WAL, for scale. */
    readModelBytes: number;
  };
}

/** A new instance started from a snapshot of a running instance's read model (bench/seeded-start.ts). */
export interface SeededStartFigures {
  batteries: number;
  /** Events in the store when the snapshot was made. */
  storeEvents: number;
  snapshotSeconds: number;
  snapshotBytes: number;
  /** Events written after the snapshot, which the new instance replays. */
  tailEvents: number;
  /** From the new instance's start until its read model was at the store's head. */
  startSeconds: number;
}

/** Devices that pulled before a restart pull again with the ETag they hold. */
export interface RestartFigures {
  batteries: number;
  fleetSize: number;
  route: string;
  /** Answers after the restart: 304 (kept) and 200 (downloaded again). */
  notModified: number;
  downloaded: number;
  other: number;
  restartSeconds: number;
  /** The pulls after the restart, all of them (16 at a time). */
  pullSeconds: number;
}

export interface Report {
  machine: Machine;
  source: string;
  rows: ComparisonRow[];
  fleet: FleetRow[];
  rebuild?: RebuildFigures;
  /** Findings worth a sentence, computed from the figures. */
  notes: string[];
  /** What was not measured, and why. */
  missing: string[];
  totalSeconds?: number;
  settings?: Record<string, string | number>;
  hotStream?: { before: number; after: number; fresh: LoadFigures; long: LoadFigures };
  /** A pointer to a run with the time budget lifted, when one was recorded. */
  longRun?: string;
  goals?: GoalRow[];
  restart?: RestartFigures;
  seededStart?: SeededStartFigures;
  auditLog?: AuditLogFigures;
  /** The lines of issue 13's "done when" on the benchmark (bench/support/goals.ts). */
  auditLogGoals?: GoalRow[];
}

/** The issue's goal for the read model of one battery with 10 keys. */
export const READ_MODEL_GOAL_BYTES = 4 * 1024;
/** The issue's goal for the read-model rebuild against raw inserts. */
export const REBUILD_GOAL = 0.5;

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const mib = (bytes: number) => `${int(bytes / 2 ** 20)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const times = (value: number) =>
  Number.isFinite(value) ? `${value.toFixed(value < 0.1 ? 3 : 2)}×` : '–';
const ratio = (a: number, b: number) => (b > 0 ? times(a / b) : '–');
/** A fleet row's p99 over the smallest fleet's: in turn with the kept copy when it ran so. */
const p99AgainstSmallest = (row: FleetRow, first: FleetRow) =>
  row.againstSmallest
    ? `${times(row.againstSmallest.p99Ratio)} in turn (${ms(row.againstSmallest.smallest.p99Ms)} ms)`
    : ratio(row.pull304.p99Ms, first.pull304.p99Ms);

function statuses(figures: LoadFigures): string {
  const entries = Object.entries(figures.statuses).filter(([, count]) => count > 0);
  return entries.length === 0
    ? ''
    : entries.map(([code, count]) => `${int(count)}×${code}`).join(', ');
}

export function renderReport(report: Report): string {
  const m = report.machine;
  const lines: string[] = [];
  lines.push('# Benchmarks');
  lines.push('');
  lines.push(
    'Generated by `npm run bench` (bench/run.ts); do not edit by hand, run it again. Every figure sits next to a',
  );
  lines.push(
    'baseline measured **in the same run on the same machine**, so the ratio is what carries over to other',
  );
  lines.push(
    "machines; the absolute numbers are this machine's. The service runs as a child process",
  );
  lines.push(
    '(`node src/main.js`, transpiled) on 127.0.0.1 with an empty temporary `DATA_DIR`, embedded SQLite store',
  );
  lines.push(
    '(WAL; an append is acknowledged once a flush of the WAL covers it, made off the event loop), `LOG_LEVEL=error`; the load generator (autocannon,',
  );
  lines.push(
    "one process) shares the machine's cores with it, as it does with the baselines. Loads start once",
  );
  lines.push(
    "the read model has caught up and the audit log's first tamper check since start has finished (it re-reads the",
  );
  lines.push(
    'whole store once after a start, then every `AUDIT_LOG_VERIFY_INTERVAL_SECONDS`); the restart row is the exception.',
  );
  lines.push(
    'Each timed load runs a warm-up of up to 2 s, then `BENCH_LOAD_ROUNDS` rounds; the round with the median throughput is',
  );
  lines.push('reported (its req/s, p50 and p99), and the answers column counts every round.');
  lines.push(
    'Where a row says "rounds in turn", its baseline\'s rounds ran in turn with the figure\'s (baseline, figure, figure,',
  );
  lines.push(
    'baseline, ...: both processes up the whole time), each round is compared with the one next to it, and the ratio is the',
  );
  lines.push(
    "median of those: this machine's speed drifts by up to 2× over minutes, and only rounds next to each other see the same machine.",
  );
  lines.push('');
  lines.push('| machine | |');
  lines.push('|---|---|');
  lines.push(`| CPU | ${m.cpu} |`);
  lines.push(`| cores | ${m.cores} |`);
  lines.push(`| memory | ${m.memoryGiB} GiB |`);
  lines.push(`| Node | ${m.node} |`);
  lines.push(`| OS | ${m.os} |`);
  lines.push(`| date | ${m.date} |`);
  lines.push(`| code | ${report.source}; HEAD ${m.commit} |`);
  if (report.settings)
    lines.push(
      `| settings | ${Object.entries(report.settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')} |`,
    );
  if (report.totalSeconds !== undefined) lines.push(`| run time | ${int(report.totalSeconds)} s |`);
  lines.push('');

  if (report.goals && report.goals.length > 0) {
    lines.push('## Goals (issue 11)');
    lines.push('');
    lines.push(
      "Each figure of the issue's table with its baseline from this run, the ratio, the issue's goal and whether this run meets it;",
    );
    lines.push(
      'the sections below hold the details. "not measured" rows say why under "Not measured in this run".',
    );
    lines.push('');
    lines.push(...goalTable(report.goals));
  }

  if (report.auditLogGoals && report.auditLogGoals.length > 0) {
    lines.push('## Goals (issue 13)');
    lines.push('');
    lines.push(
      "What the audit log (the Merkle tree, its checkpoints and proofs) costs, against the issue's goals; details under",
    );
    lines.push('"Audit log" below.');
    lines.push('');
    lines.push(...goalTable(report.auditLogGoals));
  }

  const groups = [...new Set(report.rows.map((row) => row.group))];
  for (const group of groups) {
    lines.push(`## ${group}`);
    lines.push('');
    lines.push(
      '| measured | req/s | p50 ms | p99 ms | baseline (same run) | req/s | p50 ms | p99 ms | throughput ratio | goal | answers | notes |',
    );
    lines.push('|---|--:|--:|--:|---|--:|--:|--:|--:|---|---|---|');
    for (const row of report.rows.filter((r) => r.group === group)) {
      const a = row.measured;
      const b = row.baseline;
      lines.push(
        `| ${a.label} | ${int(a.perSecond)} | ${ms(a.p50Ms)} | ${ms(a.p99Ms)} | ${b.label} | ${int(b.perSecond)} | ${ms(b.p50Ms)} | ${ms(b.p99Ms)} | ` +
          `${times(rowRatio(row))}${row.roundRatios ? ` (rounds in turn: ${row.roundRatios.map((r) => r.toFixed(2)).join(', ')})` : ''} | ` +
          `${row.goal === undefined ? '–' : goalVerdict(rowRatio(row), row.goal)} | ${statuses(a)} | ${row.note} |`,
      );
    }
    lines.push('');
  }

  if (report.rebuild) {
    const r = report.rebuild;
    lines.push('## Projection rebuild from scratch');
    lines.push('');
    lines.push(
      '| measured | events | seconds | events/s | baseline (same run) | events/s | ratio | goal |',
    );
    lines.push('|---|--:|--:|--:|---|--:|--:|---|');
    lines.push(
      `| read model deleted, service restarted, replays the whole store | ${int(r.events)} | ${r.seconds.toFixed(1)} | ${int(r.eventsPerSecond)} | ` +
        `raw insert into the store file (bulk loader, large transactions, ${int(r.rawInsertEvents)} events) | ${int(r.rawInsertsPerSecond)} | ${ratio(r.eventsPerSecond, r.rawInsertsPerSecond)} | ${goalVerdict(r.eventsPerSecond / r.rawInsertsPerSecond, REBUILD_GOAL)} |`,
    );
    lines.push('');
  }

  if (report.seededStart) lines.push(...seededStartSection(report));

  if (report.auditLog) lines.push(...auditLogSection(report.auditLog));

  if (report.restart) {
    const r = report.restart;
    lines.push('## Devices after a restart');
    lines.push('');
    lines.push(
      `${int(r.batteries)} batteries of the fleet of ${int(r.fleetSize)} pulled their bundle (${r.route}) and kept its ETag; the service was`,
    );
    lines.push(
      'stopped (SIGTERM) and started again on the same `DATA_DIR`, and each battery pulled again with `If-None-Match` = that ETag,',
    );
    lines.push('16 at a time. A 200 is a device downloading a bundle it already holds.');
    lines.push('');
    lines.push(
      '| batteries | restart until caught up (s) | pulls after it (s) | 304 (kept) | 200 (downloaded again) | other | goal |',
    );
    lines.push('|--:|--:|--:|--:|--:|--:|---|');
    lines.push(
      `| ${int(r.batteries)} | ${r.restartSeconds.toFixed(1)} | ${r.pullSeconds.toFixed(1)} | ${int(r.notModified)} | ${int(r.downloaded)} | ${int(r.other)} | none downloaded again |`,
    );
    lines.push('');
  }

  if (report.fleet.length > 0) {
    const first = report.fleet[0];
    const withDevice = report.fleet.some((row) => row.devicePull304);
    lines.push('## Fleet scale');
    lines.push('');
    lines.push(
      "Each battery: provisioned, then 10 keys issued (11 events), every event produced by the service's own deciders and",
    );
    lines.push(
      'written straight into the store file (bench/support/fleet-loader.ts); then the service starts and catches up its read',
    );
    lines.push(
      'model ("catch-up": from its start until /health shows the read model at the store\'s head; for the larger fleets only the',
    );
    lines.push(
      `events added in that step). Pulls: unchanged bundle (304) over a uniform sample of up to 2,000 batteries of the fleet.`,
    );
    lines.push(
      'RSS: the service process (VmRSS in /proc/<pid>/status) after the pulls. Disk: events.db and read-model.db with their WAL files;',
    );
    lines.push(
      `"read model per battery" is read-model.db (+WAL) over the fleet's batteries (goal ≤ ${kib(READ_MODEL_GOAL_BYTES)}; it includes the keys the command runs above added).`,
    );
    lines.push(
      '"p99 vs smallest": the smallest fleet\'s service was copied (data directory) before the fleet grew and kept up for the run; ' +
        "each larger fleet's Bearer 304 rounds ran in turn with the same pulls on that copy, and the ratio is the median of adjacent rounds' p99 " +
        '("in turn"; the copy\'s own p99 in the rounds next to them is in brackets). Without a copy it is the p99 measured at each step over the first step\'s.',
    );
    lines.push('');
    const deviceHead = withDevice ? ' device 304 req/s | device p99 ms |' : '';
    const deviceRule = withDevice ? '--:|--:|' : '';
    lines.push(
      "Audit page: the first 100 of lessor-a's acts in the audit view (`GET /v1/audit?party=lessor-a&limit=100`, the fleet's key issuer), 20 requests one at a time after 3 unmeasured; p50 and slowest.",
    );
    lines.push('');
    lines.push(
      `| batteries | events in store | load (s) | catch-up (s) | catch-up events/s | Bearer 304 req/s | p50 ms | p99 ms |${deviceHead} audit page p50 / slowest ms | RSS | p99 vs smallest | RSS vs smallest | store on disk | read model on disk | read model per battery |`,
    );
    lines.push(`|--:|--:|--:|--:|--:|--:|--:|--:|${deviceRule}--:|--:|--:|--:|--:|--:|--:|`);
    for (const row of report.fleet) {
      const device = withDevice
        ? ` ${row.devicePull304 ? int(row.devicePull304.perSecond) : '–'} | ${row.devicePull304 ? ms(row.devicePull304.p99Ms) : '–'} |`
        : '';
      lines.push(
        `| ${int(row.batteries)} | ${int(row.events)} | ${row.loadSeconds.toFixed(1)} | ${row.catchUpSeconds.toFixed(1)} | ${int(row.catchUpEventsPerSecond)} | ` +
          `${int(row.pull304.perSecond)} | ${ms(row.pull304.p50Ms)} | ${ms(row.pull304.p99Ms)} |${device} ${row.auditPage ? `${ms(row.auditPage.p50Ms)} / ${ms(row.auditPage.maxMs)}` : '–'} | ${mib(row.rssBytes)} | ` +
          `${p99AgainstSmallest(row, first)} | ${ratio(row.rssBytes, first.rssBytes)} | ${row.storeBytes === undefined ? '–' : mib(row.storeBytes)} | ${row.readModelBytes === undefined ? '–' : mib(row.readModelBytes)} | ${row.readModelBytes === undefined ? '–' : kib(row.readModelBytes / row.batteries)} |`,
      );
    }
    lines.push('');
  }

  if (report.notes.length > 0) {
    lines.push('## What the figures say');
    lines.push('');
    for (const note of report.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  if (report.longRun) {
    lines.push('## A longer run');
    lines.push('');
    lines.push(report.longRun);
    lines.push('');
  }
  lines.push('## Not measured in this run');
  lines.push('');
  if (report.missing.length === 0) lines.push('Nothing: every measurement above ran.');
  for (const missing of report.missing) lines.push(`- ${missing}`);
  lines.push('');
  return lines.join('\n');
}

function goalTable(goals: readonly GoalRow[]): string[] {
  return [
    '| what | measured | baseline (same run) | ratio | goal | met |',
    '|---|---|---|--:|---|---|',
    ...goals.map(
      (goal) =>
        `| ${goal.what} | ${goal.measured} | ${goal.baseline} | ${goal.ratio} | ${goal.goal} | ${goal.met} |`,
    ),
    '',
  ];
}

function auditLogSection(figures: AuditLogFigures): string[] {
  const lines = ['## Audit log', ''];
  const { catchUp, proofs, storage } = figures;
  if (catchUp) {
    lines.push(
      `Catch-up cost: the read model of the fleet of ${int(catchUp.batteries)} deleted and rebuilt from the store, the service started`,
      'with `AUDIT_LOG_ENABLED=false` and with the log on (the default), interleaved; each run until /health shows the read',
      "model at the store's head. With the log on, every event is also a leaf (hashed, its subtrees stored in the same",
      'transaction), checkpoints are signed meanwhile, and the tamper check at start re-reads the store up to the last',
      'checkpoint kept in `audit-log.db`, which a rebuild keeps.',
      '',
      '| run | audit log | events | seconds | events/s |',
      '|--:|---|--:|--:|--:|',
      ...catchUp.runs.map(
        (run, index) =>
          `| ${index + 1} | ${run.auditLog ? 'on' : 'off'} | ${int(run.events)} | ${run.seconds.toFixed(1)} | ${int(run.eventsPerSecond)} |`,
      ),
      '',
    );
  }
  if (proofs) {
    lines.push(
      `Inclusion proofs: \`GET /v1/log/proofs/inclusion?leafIndex=<random>&treeSize=${proofs.treeSize}\` with a Bearer token, a new random`,
      `leaf per request, against the newest checkpoint of the fleet of ${int(proofs.batteries)} (${int(proofs.verified)} answers verified against`,
      "the checkpoint's root first), with the pulls' connections and then one request at a time; the Bearer 304 pull of",
      'the same fleet for reference.',
      '',
      '| measured | req/s | p50 ms | p99 ms | answers |',
      '|---|--:|--:|--:|---|',
      ...[proofs.loaded, proofs.single, proofs.baseline].map(
        (run) =>
          `| ${run.label} | ${int(run.perSecond)} | ${ms(run.p50Ms)} | ${ms(run.p99Ms)} | ${statuses(run)} |`,
      ),
      '',
    );
  }
  if (storage) {
    const total = storage.tables.reduce((sum, table) => sum + table.bytes, 0);
    lines.push(
      `Tree storage: the pages of the audit log's tables in read-model.db (SQLite \`dbstat\`), fleet of ${int(storage.batteries)},`,
      `${int(storage.leaves)} leaves; read-model.db with its WAL is ${mib(storage.readModelBytes)} in all.`,
      '',
      '| table | bytes | bytes per leaf |',
      '|---|--:|--:|',
      ...storage.tables.map(
        (table) =>
          `| ${table.name} | ${int(table.bytes)} | ${(table.bytes / storage.leaves).toFixed(1)} |`,
      ),
      `| all | ${int(total)} | ${(total / storage.leaves).toFixed(1)} |`,
      '',
    );
  }
  return lines;
}

/** The new instance from a snapshot, beside the same store replayed from scratch at this run's catch-up rate. */
function seededStartSection(report: Report): string[] {
  const r = report.seededStart!;
  const rate = report.fleet[report.fleet.length - 1]?.catchUpEventsPerSecond;
  const events = r.storeEvents + r.tailEvents;
  return [
    '## A new instance from a read-model snapshot',
    '',
    `The service of the fleet of ${int(r.batteries)}, caught up and running, was copied and signed by \`npm run read-model-snapshot\`; it`,
    'was stopped, more batteries were written into its store (the events a new instance finds after the snapshot), and a new',
    'instance started on a copy of that store and its keys, without a read model, with `READ_MODEL_SEED` set to the snapshot',
    "and `READ_MODEL_SEED_PUBLIC_KEY_FILE` to the signing key's public half; timed from its start until /health showed its",
    'read model at the head (the snapshot copied in, its signature and SHA-256 checked, its checkpoint found in the store, the',
    'events after it replayed). The bench checks that the instance started from the snapshot rather than replay the store.',
    '',
    "| batteries | events in store at the snapshot | snapshot (s) | snapshot size | events after it | new instance: start until caught up (s) | the whole store replayed at this run's catch-up rate (s) |",
    '|--:|--:|--:|--:|--:|--:|--:|',
    `| ${int(r.batteries)} | ${int(r.storeEvents)} | ${r.snapshotSeconds.toFixed(1)} | ${mib(r.snapshotBytes)} | ${int(r.tailEvents)} | ${r.startSeconds.toFixed(1)} | ${rate ? int(events / rate) : '–'} |`,
    '',
  ];
}
