import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { snapshotReadModel } from '../read-model/read-model-snapshot';
import {
  createSnapshotSigningKey,
  loadSnapshotSigningKey,
  SnapshotKeyError,
} from '../read-model/snapshot-signature';
import { exitCodeOfParsing, type TextOutput } from './command-line';

/**
 * read-model-snapshot: a consistent copy of an instance's read model, signed, for new instances
 * to start from (READ_MODEL_SEED) instead of replaying the whole store. Safe while the instance
 * runs.
 *
 *   read-model-snapshot --new-signing-key /secrets/snapshot-key.pem   (once: the key pair)
 *   read-model-snapshot --signing-key /secrets/snapshot-key.pem --to /snapshots/read-model.db
 *   read-model-snapshot --data-dir /var/lib/battery-keys --signing-key ... --to ...
 *
 * Exit code 0: done; 1: the snapshot or the key could not be made; 2: usage.
 */

export interface SnapshotIo {
  stdout: TextOutput;
  stderr: TextOutput;
}

interface Options {
  to?: string;
  dataDir: string;
  signingKey?: string;
  newSigningKey?: string;
}

export async function readModelSnapshot(
  argv: readonly string[],
  io: SnapshotIo = process,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const program = new Command('read-model-snapshot')
    .description(
      "Copy an instance's read model (consistently, while the instance runs) into a snapshot file that\n" +
        'new instances start from (READ_MODEL_SEED=<file>), replaying only the events after it.\n' +
        'The file replaces any snapshot already at that path only once it is complete. Each snapshot is\n' +
        'signed (<file>.jws, Ed25519): instances use it only if the signature verifies with the public\n' +
        'key they are given (READ_MODEL_SEED_PUBLIC_KEY_FILE). Make that key pair once with --new-signing-key.',
    )
    .option('--to <file>', 'the snapshot file to write')
    .option('--signing-key <file>', 'the private key (PKCS#8 PEM, Ed25519) that signs the snapshot')
    .option(
      '--new-signing-key <file>',
      'instead of a snapshot: write a new signing key to <file> and its public key to <file>.pub',
    )
    .option('--data-dir <dir>', "the instance's DATA_DIR", env.DATA_DIR ?? './data');
  const exitCode = exitCodeOfParsing(program, argv, io);
  if (exitCode !== undefined) return exitCode;
  const options = program.opts<Options>();
  const usage = (message: string) => {
    io.stderr.write(`read-model-snapshot: ${message}\n`);
    return 2;
  };

  if (options.newSigningKey !== undefined) {
    if (options.to !== undefined || options.signingKey !== undefined)
      return usage('--new-signing-key makes a key and nothing else: no --to or --signing-key');
    try {
      const { publicKeyFile } = createSnapshotSigningKey(options.newSigningKey);
      io.stdout.write(
        `Signing key written to ${options.newSigningKey} (keep it where only the snapshot job reads it).\n` +
          `Give instances its public key: READ_MODEL_SEED_PUBLIC_KEY_FILE=${resolve(publicKeyFile)}\n`,
      );
      return 0;
    } catch (error) {
      io.stderr.write(`read-model-snapshot failed: ${(error as Error).message}\n`);
      return 1;
    }
  }
  if (options.to === undefined) return usage('--to <file> is required');
  if (options.signingKey === undefined)
    return usage(
      '--signing-key <file> is required: instances use only signed snapshots (make a key with --new-signing-key)',
    );

  const source = join(options.dataDir, 'read-model.db');
  const started = Date.now();
  try {
    const key = loadSnapshotSigningKey(options.signingKey);
    const { checkpoint, bytes, signatureFile } = await snapshotReadModel(source, options.to, key);
    io.stdout.write(
      `Snapshot of ${source} at position ${checkpoint.position} (event ${checkpoint.eventId}): ` +
        `${options.to}, ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `signed in ${signatureFile}.\n` +
        `Start a new instance with READ_MODEL_SEED=${resolve(options.to)}\n`,
    );
    return 0;
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    io.stderr.write(
      `read-model-snapshot failed: ${error instanceof SnapshotKeyError ? `signing key: ${message}` : message}\n`,
    );
    return 1;
  }
}

if (require.main === module)
  void readModelSnapshot(process.argv.slice(2)).then((code) => (process.exitCode = code));
