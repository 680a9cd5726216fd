/**
 * Issue 13's figures, as steps of `npm run bench` (bench/run.ts), each on the bench's own fleet:
 *
 * - catch-up: the read model of one loaded store deleted and rebuilt with the audit log off
 *   (`AUDIT_LOG_ENABLED=false`) and on, interleaved (off, on, off, on), so the ratio of time per
 *   event compares the same events on the same files minutes apart;
 * - inclusion proofs: `GET /v1/log/proofs/inclusion` of a random leaf per request against the
 *   newest checkpoint, at the largest fleet the run reached, under the pulls' load and alone;
 * - storage: the pages of the log's tables in read-model.db (SQLite's dbstat), per leaf.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { parseCheckpointText, type Checkpoint } from '../src/audit-log/domain/checkpoint';
import { fromBase64, sameHash } from '../src/audit-log/domain/hashing';
import { verifyInclusion } from '../src/audit-log/domain/proof-verification';
import { parseSignedNote } from '../src/audit-log/domain/signed-note';
import { AUDIT_LOG_SCHEMA } from '../src/audit-log/projections/audit-log.schema';
import { expectStatuses, load, type LoadFigures } from './support/load';
import type { AuditLogFigures, CatchUpRun } from './support/report';
import type { ServiceProcess } from './support/service-process';

/** The setting that leaves the audit log out of the service: the catch-up's baseline. */
export const AUDIT_LOG_OFF = { AUDIT_LOG_ENABLED: 'false' } as const;

/** Answers checked against the checkpoint before the proof runs: the runs measure real proofs. */
const VERIFIED_PROOFS = 50;
/** How long a checkpoint covering the whole tree may take (one is signed every 2 s by default). */
const CHECKPOINT_WAIT_MS = 60_000;

/**
 * Whether the service answers with the audit log: its key is public whenever the log runs. False
 * for a revision from before the log (BENCH_SOURCE) and for a service started with it off.
 */
export async function auditLogRuns(base: string): Promise<boolean> {
  const response = await fetch(`${base}/.well-known/audit-log-key`);
  await response.arrayBuffer();
  return response.status === 200;
}

/**
 * Deletes the read model and starts `service` on the same data: it replays the whole store.
 * Checks that the audit log runs or not as `auditLog` says, so a revision that ignores the
 * setting cannot pass off two runs with the log as a comparison.
 */
async function rebuild(
  service: ServiceProcess,
  dataDir: string,
  auditLog: boolean,
  timeoutMs: number,
): Promise<CatchUpRun> {
  for (const file of ['read-model.db', 'read-model.db-wal', 'read-model.db-shm'])
    rmSync(join(dataDir, file), { force: true });
  const started = Date.now();
  await service.start();
  if ((await auditLogRuns(service.baseUrl)) !== auditLog)
    throw new Error(
      `The service was started with the audit log ${auditLog ? 'on' : 'off'} but it ${auditLog ? 'does not run' : 'runs'}`,
    );
  await service.waitCaughtUp(timeoutMs);
  const seconds = (Date.now() - started) / 1000;
  const events = Number((await service.progress()).head);
  return { auditLog, events, seconds, eventsPerSecond: events / seconds };
}

export interface CatchUpComparisonOptions {
  /** The service as the bench runs it (log on); it is the one left running at the end. */
  on: ServiceProcess;
  /** A service on the same data directory with AUDIT_LOG_OFF. */
  off: ServiceProcess;
  dataDir: string;
  /** Whether the service under test has the audit log at all (BENCH_SOURCE may predate it). */
  hasAuditLog: boolean;
  /** Pairs of runs (off, then on). */
  rounds: number;
  /** One rebuild's expected duration, for the budget check before each pair. */
  estimateMs: number;
  /** Whether that much more time fits the run's budget. */
  fits: (ms: number) => boolean;
  timeoutMs: number;
  log: (message: string) => void;
}

export interface CatchUpComparison {
  /** Every run, in order. */
  runs: CatchUpRun[];
  /** The first run of the service as the bench runs it (log on): issue 11's rebuild figure. */
  firstOn: CatchUpRun;
  /** Why no run with the log off was made, when none was. */
  skipped?: string;
}

/**
 * Rebuilds with the log off then on, `rounds` times while the budget allows. At least the run
 * with the log on is made (the bench's rebuild figure), and the service ends with the log on.
 * Without a log in the service under test, only its own rebuild is made.
 */
export async function catchUpComparison(
  options: CatchUpComparisonOptions,
): Promise<CatchUpComparison> {
  const { on, off, dataDir, timeoutMs, log } = options;
  const runs: CatchUpRun[] = [];
  let skipped: string | undefined;
  const once = async (service: ServiceProcess, auditLog: boolean) => {
    await on.stop();
    await off.stop();
    const run = await rebuild(service, dataDir, auditLog, timeoutMs);
    runs.push(run);
    log(
      `rebuild from scratch, audit log ${auditLog ? 'on' : 'off'}: ${run.events.toLocaleString('en')} events in ${run.seconds.toFixed(1)} s (${Math.round(run.eventsPerSecond)} events/s)`,
    );
    return run;
  };
  if (!options.hasAuditLog) {
    const run = await once(on, false);
    return { runs, firstOn: run, skipped: 'the service under test has no audit log' };
  }
  for (let round = 0; round < options.rounds; round++) {
    if (!options.fits(2 * options.estimateMs)) {
      if (round === 0)
        skipped = `two rebuilds of ~${Math.round(options.estimateMs / 1000)} s each (log off, log on) would not fit the budget`;
      break;
    }
    await once(off, false);
    await once(on, true);
  }
  if (runs.length === 0) await once(on, true);
  await off.stop();
  const firstOn = runs.find((run) => run.auditLog) as CatchUpRun;
  return { runs, firstOn, ...(skipped ? { skipped } : {}) };
}

/** Leaves the log holds in read-model.db (read-only, beside the running service: WAL). */
function treeSizeIn(dataDir: string): number {
  const db = new Database(join(dataDir, 'read-model.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_log_leaves').get()!.n;
  } finally {
    db.close();
  }
}

/** Polls the public checkpoint until it covers `size` leaves (bounded). */
async function checkpointCovering(base: string, size: number): Promise<Checkpoint> {
  const deadline = Date.now() + CHECKPOINT_WAIT_MS;
  for (;;) {
    const response = await fetch(`${base}/v1/log/checkpoint`);
    const text = await response.text();
    const note = response.status === 200 ? parseSignedNote(text) : undefined;
    const checkpoint = note && parseCheckpointText(note.text);
    if (checkpoint && checkpoint.size >= size) return checkpoint;
    if (Date.now() > deadline)
      throw new Error(`No checkpoint of ${size} leaves within ${CHECKPOINT_WAIT_MS} ms: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface InclusionAnswer {
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  rootHash: string;
  proof: string[];
}

/** Fetches `count` proofs of random leaves and checks each against the checkpoint's root. */
async function verifySample(
  base: string,
  authorization: string,
  checkpoint: Checkpoint,
  count: number,
): Promise<number> {
  for (let i = 0; i < count; i++) {
    const leafIndex = Math.floor(Math.random() * checkpoint.size);
    const response = await fetch(
      `${base}/v1/log/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${checkpoint.size}`,
      { headers: { authorization } },
    );
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`inclusion proof of leaf ${leafIndex}: ${response.status} ${text}`);
    const answer = JSON.parse(text) as InclusionAnswer;
    const leafHash = fromBase64(answer.leafHash);
    const root = fromBase64(answer.rootHash);
    const proof = answer.proof.map((hash) => fromBase64(hash));
    const valid =
      answer.leafIndex === leafIndex &&
      leafHash !== undefined &&
      root !== undefined &&
      sameHash(root, checkpoint.root) &&
      proof.every((hash) => hash !== undefined) &&
      verifyInclusion(leafHash, leafIndex, checkpoint.size, proof, root);
    if (!valid) throw new Error(`inclusion proof of leaf ${leafIndex} does not verify: ${text}`);
  }
  return count;
}

export interface InclusionProofOptions {
  service: ServiceProcess;
  dataDir: string;
  /** A Bearer token of the fleet (any signed-in caller may ask for a proof). */
  token: string;
  batteries: number;
  /** The Bearer 304 pull measured on the same fleet. */
  baseline: LoadFigures;
  connections: number;
  durationSec: number;
  warmupSec: number;
}

/** Proofs of random leaves against the checkpoint covering the whole tree: under load, then alone. */
export async function inclusionProofs(
  options: InclusionProofOptions,
): Promise<NonNullable<AuditLogFigures['proofs']>> {
  const base = options.service.baseUrl;
  const authorization = `Bearer ${options.token}`;
  const checkpoint = await checkpointCovering(base, treeSizeIn(options.dataDir));
  const verified = await verifySample(base, authorization, checkpoint, VERIFIED_PROOFS);
  const size = checkpoint.size;
  const setupRequest = (request: autocannon.Request) => ({
    ...request,
    path: `/v1/log/proofs/inclusion?leafIndex=${Math.floor(Math.random() * size)}&treeSize=${size}`,
  });
  const what = `inclusion proof, random leaf of ${size.toLocaleString('en')}, Bearer token`;
  const loaded = expectStatuses(
    await load({
      label: `${what}, ${options.connections} connections`,
      url: base,
      connections: options.connections,
      durationSec: options.durationSec,
      warmupSec: options.warmupSec,
      headers: { authorization },
      setupRequest,
    }),
    ['200'],
  );
  const single = expectStatuses(
    await load({
      label: `${what}, one request at a time`,
      url: base,
      connections: 1,
      durationSec: Math.min(options.durationSec, 3),
      headers: { authorization },
      setupRequest,
    }),
    ['200'],
  );
  return {
    batteries: options.batteries,
    treeSize: size,
    loaded,
    single,
    baseline: options.baseline,
    verified,
  };
}

/**
 * The bytes of the pages the log's tables (and any index on them) take in read-model.db, from
 * SQLite's dbstat, and the leaves they hold. Pages, not the file: free pages and other contexts'
 * tables are not the tree's.
 */
export function treeStorage(
  dataDir: string,
  batteries: number,
  readModelBytes: number,
): NonNullable<AuditLogFigures['storage']> {
  const db = new Database(join(dataDir, 'read-model.db'), { readonly: true, fileMustExist: true });
  try {
    const pages = db.prepare<[string], { bytes: number | null }>(
      'SELECT sum(pgsize) AS bytes FROM dbstat WHERE name = ?',
    );
    const indexesOf = db.prepare<[string], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?",
    );
    const tables = AUDIT_LOG_SCHEMA.tables.map((name) => {
      const objects = [name, ...indexesOf.all(name).map((index) => index.name)];
      const bytes = objects.reduce((sum, object) => sum + (pages.get(object)?.bytes ?? 0), 0);
      return { name, bytes };
    });
    const leaves = db
      .prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_log_leaves')
      .get()!.n;
    return { batteries, leaves, tables, readModelBytes };
  } finally {
    db.close();
  }
}
