import { Command, CommanderError } from 'commander';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  describeCheckpoint,
  describeFailure,
  parseVerifierKey,
  SIGNATURE_TYPE,
  verifyExport,
  type VerifierKey,
} from '../audit-verifier';

/**
 * Verifies an audit export offline (docs/audit-log.md §5 and §7): the checkpoint's signature with
 * the log key, every line's leaf and inclusion proof, and consistency with a checkpoint kept from
 * before. Exit code 0: everything holds; 1: a check failed (the message names the line and the
 * check); 2: the tool could not run (options, files, key).
 */
const EXIT = { verified: 0, failed: 1, usage: 2 } as const;

class UsageError extends Error {}

interface Options {
  export: string;
  logKey: string;
  previousCheckpoint?: string;
}

function readUsableFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}

function readLogKey(file: string): VerifierKey {
  try {
    return parseVerifierKey(readUsableFile(file, 'log key'), SIGNATURE_TYPE.ed25519);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file} is not the log's verifier key: ${(error as Error).message}`);
  }
}

function exportLines(file: string): AsyncIterable<string> {
  if (file !== '-') {
    let isFile: boolean;
    try {
      isFile = statSync(file).isFile();
    } catch (error) {
      throw new UsageError(`cannot read the export ${file}: ${(error as Error).message}`);
    }
    if (!isFile) throw new UsageError(`the export ${file} is not a file`);
  }
  const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
  // One line at a time: memory stays bounded by the longest line, however long the export is.
  return createInterface({ input, crlfDelay: Infinity });
}

async function run(options: Options): Promise<number> {
  const logKey = readLogKey(options.logKey);
  const previousCheckpoint =
    options.previousCheckpoint === undefined
      ? undefined
      : readUsableFile(options.previousCheckpoint, 'previous checkpoint');
  const verdict = await verifyExport(exportLines(options.export), {
    logKey,
    ...(previousCheckpoint === undefined ? {} : { previousCheckpoint }),
  });
  if (!verdict.ok) {
    process.stderr.write(`audit-verify: FAILED at ${describeFailure(verdict.failure)}\n`);
    return EXIT.failed;
  }
  const { entries, checkpoint, previous, uncheckedConsistencyFrom } = verdict.summary;
  const extension = previous
    ? `; it extends the kept checkpoint of size ${previous.size}`
    : uncheckedConsistencyFrom === undefined
      ? ''
      : `; the consistency proof from size ${uncheckedConsistencyFrom} was not checked (give --previous-checkpoint)`;
  const unchecked = checkpoint.otherSignatures.length;
  process.stdout.write(
    `audit-verify: OK: ${entries} entries verified against checkpoint of size ${checkpoint.size} ` +
      `(${describeCheckpoint(checkpoint)})${extension}` +
      (unchecked > 0 ? `; ${unchecked} other signature line(s), not checked` : '') +
      '\n',
  );
  return EXIT.verified;
}

const program = new Command()
  .name('audit-verify')
  .description('Verify an audit log export offline (docs/audit-log.md)')
  .requiredOption('--export <file>', 'the export, JSON lines (GET /v1/audit/export); - for stdin')
  .requiredOption(
    '--log-key <file>',
    "the log's verifier key (GET /.well-known/audit-log-key), kept from before",
  )
  .option(
    '--previous-checkpoint <file>',
    'a signed checkpoint kept from before: the export must extend it',
  )
  .exitOverride()
  .action(async (options: Options) => {
    process.exitCode = await run(options);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help) already.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
    return;
  }
  process.stderr.write(`audit-verify: ${error instanceof Error ? error.message : String(error)}\n`);
  // Exit code 1 means a check failed, nothing else: whatever kept the tool from running is 2.
  process.exitCode = EXIT.usage;
});
