/**
 * A new instance started from a snapshot of a running instance's read model (READ_MODEL_SEED),
 * as a step of `npm run bench` (bench/run.ts) at the largest fleet the run reached:
 *
 * 1. `read-model-snapshot` (the built CLI) copies the running service's read model and signs it
 *    (a signing key made by the same CLI first);
 * 2. the service stops and more batteries are written into the store: the events a new instance
 *    finds after the snapshot (a day's commands, say);
 * 3. a new instance starts on a copy of the store and its keys, without a read model, seeded with
 *    the snapshot, and is timed from its start until /health shows its read model at the head.
 *
 * The new instance's read model is looked at afterwards for the row a seeded read model keeps
 * (SEEDED_FROM, naming this snapshot's path), so a seed the instance refused (it would then replay
 * the whole store, and say so only in its log) fails the step instead of timing a replay. The
 * time includes checking the snapshot's signature (SHA-256 of the whole copy).
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
/** read-model-seed.ts's SEEDED_FROM; the bench may measure a revision of its own, so not imported. */
const SEEDED_FROM = 'seeded-from';
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
  const signingKey = join(workDir, 'snapshot-key.pem');
  const cliEnv = { env: { PATH: process.env.PATH ?? '', NODE_PATH: buildNodePath() } };
  try {
    await run(process.execPath, [cli, '--new-signing-key', signingKey], cliEnv);
    const storeEvents = Number((await service.progress()).head);
    const snapshotStarted = Date.now();
    await run(
      process.execPath,
      [cli, '--data-dir', dataDir, '--to', snapshot, '--signing-key', signingKey],
      cliEnv,
    );
    const snapshotSeconds = (Date.now() - snapshotStarted) / 1000;
    const snapshotBytes = statSync(snapshot).size;
    log(
      `read-model snapshot of the running service: ${(snapshotBytes / 2 ** 20).toFixed(0)} MiB in ${snapshotSeconds.toFixed(1)} s`,
    );

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
      env: { READ_MODEL_SEED: snapshot, READ_MODEL_SEED_PUBLIC_KEY_FILE: `${signingKey}.pub` },
      readyTimeoutMs: options.timeoutMs,
    });
    const started = Date.now();
    await seeded.start();
    await seeded.waitCaughtUp(options.timeoutMs);
    const startSeconds = (Date.now() - started) / 1000;
    await seeded.stop();
    const readModel = new Database(join(seedDir, 'read-model.db'), { readonly: true });
    const fromSeed = readModel
      .prepare<[string], { value: string }>('SELECT value FROM read_model_meta WHERE key = ?')
      .get(SEEDED_FROM);
    readModel.close();
    if ((JSON.parse(fromSeed?.value ?? '{}') as { snapshot?: string }).snapshot !== snapshot)
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
    for (const file of [snapshot, `${snapshot}.jws`, signingKey, `${signingKey}.pub`])
      rmSync(file, { force: true });
  }
}
