/**
 * A new instance started from a snapshot of a running instance's read model (READ_MODEL_SEED),
 * as a step of `npm run bench` (bench/run.ts) at the largest fleet the run reached:
 *
 * 1. `read-model-snapshot` (the built CLI) copies the running service's read model;
 * 2. the service stops and more batteries are written into the store: the events a new instance
 *    finds after the snapshot (a day's commands, say);
 * 3. a new instance starts on a copy of the store and its keys, without a read model, seeded with
 *    the snapshot, and is timed from its start until /health shows its read model at the head.
 *
 * The snapshot is marked with a meta row of the bench's own before the start; the row is looked
 * for in the new instance's read model afterwards, so a seed the instance refused (it would then
 * replay the whole store, and say so only in its log) fails the step instead of timing a replay.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildNodePath, builtScript, type ServiceBuild } from './support/build';
import type { LoadResult } from './support/fleet-loader';
import type { SeededStartFigures } from './support/report';
import { runWorker, type ServiceProcess } from './support/service-process';

const run = promisify(execFile);
const BENCH_MARK = 'bench:seeded';
/** What the new instance does not take from the first one's DATA_DIR: its read model, its own log file and lock. */
const INSTANCE_OWN = /^(read-model\.db|audit-log\.db|instance\.)/;

export interface SeededStartOptions {
  build: ServiceBuild;
  /** The running service of the fleet, caught up. */
  service: ServiceProcess;
  dataDir: string;
  workDir: string;
  batteries: number;
  /** Batteries written into the store after the snapshot, numbered from `batteries`. */
  tailBatteries: number;
  keysPerBattery: number;
  newService: (options: ConstructorParameters<typeof ServiceProcess>[0]) => ServiceProcess;
  timeoutMs: number;
  log: (message: string) => void;
}

/** The figures, or why the step could not run. */
export async function seededStart(
  options: SeededStartOptions,
): Promise<SeededStartFigures | string> {
  const { build, service, dataDir, workDir, log } = options;
  const cli = builtScript(build, 'src/cli/read-model-snapshot');
  if (!existsSync(cli)) return 'the measured revision has no `read-model-snapshot` command';
  const seedDir = join(workDir, 'seeded');
  const snapshot = join(workDir, 'read-model.snapshot.db');
  try {
    const storeEvents = Number((await service.progress()).head);
    const snapshotStarted = Date.now();
    await run(process.execPath, [cli, '--data-dir', dataDir, '--to', snapshot], {
      env: { PATH: process.env.PATH ?? '', NODE_PATH: buildNodePath() },
    });
    const snapshotSeconds = (Date.now() - snapshotStarted) / 1000;
    const snapshotBytes = statSync(snapshot).size;
    log(
      `read-model snapshot of the running service: ${(snapshotBytes / 2 ** 20).toFixed(0)} MiB in ${snapshotSeconds.toFixed(1)} s`,
    );
    const marked = new Database(snapshot);
    marked.prepare('INSERT INTO read_model_meta (key, value) VALUES (?, ?)').run(BENCH_MARK, '1');
    marked.close();

    await service.stop();
    const tail = await runWorker<LoadResult>('load-fleet', {
      file: join(dataDir, 'events.db'),
      batteries: options.tailBatteries,
      keysPerBattery: options.keysPerBattery,
      startIndex: options.batteries,
      registerParties: false,
    });
    mkdirSync(seedDir, { recursive: true });
    for (const file of readdirSync(dataDir))
      if (!INSTANCE_OWN.test(file)) copyFileSync(join(dataDir, file), join(seedDir, file));

    const seeded = options.newService({
      dataDir: seedDir,
      env: { READ_MODEL_SEED: snapshot },
      readyTimeoutMs: options.timeoutMs,
    });
    const started = Date.now();
    await seeded.start();
    await seeded.waitCaughtUp(options.timeoutMs);
    const startSeconds = (Date.now() - started) / 1000;
    await seeded.stop();
    const readModel = new Database(join(seedDir, 'read-model.db'), { readonly: true });
    const fromSeed = readModel
      .prepare('SELECT 1 FROM read_model_meta WHERE key = ?')
      .get(BENCH_MARK);
    readModel.close();
    if (!fromSeed)
      throw new Error('The new instance did not start from the snapshot (it replayed the store)');
    log(
      `new instance from the snapshot: caught up ${tail.events.toLocaleString('en')} events after it in ${startSeconds.toFixed(1)} s from its start`,
    );
    return {
      batteries: options.batteries,
      storeEvents,
      snapshotSeconds,
      snapshotBytes,
      tailEvents: tail.events,
      startSeconds,
    };
  } finally {
    rmSync(seedDir, { recursive: true, force: true });
    rmSync(snapshot, { force: true });
  }
}
