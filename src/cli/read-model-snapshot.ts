import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { snapshotReadModel } from '../read-model/read-model-snapshot';
import { exitCodeOfParsing, type TextOutput } from './command-line';

/**
 * read-model-snapshot: a consistent copy of an instance's read model, for new instances to start
 * from (READ_MODEL_SEED) instead of replaying the whole store. Safe while the instance runs.
 *
 *   read-model-snapshot --to /snapshots/read-model.db            (DATA_DIR, or ./data)
 *   read-model-snapshot --data-dir /var/lib/battery-keys --to /snapshots/read-model.db
 */

export interface SnapshotIo {
  stdout: TextOutput;
  stderr: TextOutput;
}

export function readModelSnapshot(
  argv: readonly string[],
  io: SnapshotIo = process,
  env: Record<string, string | undefined> = process.env,
): number {
  const program = new Command('read-model-snapshot')
    .description(
      "Copy an instance's read model (consistently, while the instance runs) into a snapshot file that\n" +
        'new instances start from (READ_MODEL_SEED=<file>), replaying only the events after it.\n' +
        'The file replaces any snapshot already at that path only once it is complete.',
    )
    .requiredOption('--to <file>', 'the snapshot file to write')
    .option('--data-dir <dir>', "the instance's DATA_DIR", env.DATA_DIR ?? './data');
  const exitCode = exitCodeOfParsing(program, argv, io);
  if (exitCode !== undefined) return exitCode;
  const options = program.opts<{ to: string; dataDir: string }>();
  const source = join(options.dataDir, 'read-model.db');
  const started = Date.now();
  try {
    const { checkpoint, bytes } = snapshotReadModel(source, options.to);
    io.stdout.write(
      `Snapshot of ${source} at position ${checkpoint.position} (event ${checkpoint.eventId}): ` +
        `${options.to}, ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s.\n` +
        `Start a new instance with READ_MODEL_SEED=${resolve(options.to)}\n`,
    );
    return 0;
  } catch (error) {
    io.stderr.write(`read-model-snapshot failed: ${(error as Error).message ?? error}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = readModelSnapshot(process.argv.slice(2));
