import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import {
  createWitnessKey,
  describeCheckpoint,
  encodeBase64,
  isValidKeyName,
  loadWitnessKey,
  parseVerifierKey,
  runWitnessRound,
  SIGNATURE_TYPE,
  witnessVerifierKey,
  WitnessKeyError,
  WitnessStateError,
  type RoundOutcome,
  type WitnessOptions,
} from '../audit-verifier';

/**
 * A witness for the audit log (docs/audit-log.md §3 and §7): remembers the largest checkpoint it
 * verified, cosigns only checkpoints that extend it, and raises an alarm on a rollback or a fork.
 * Exit code 0: the round completed (cosigned, or nothing new); 1: alarm, the log misbehaved and
 * got no cosignature; 2: usage (options, files, keys); 3: the round could not complete (the log
 * was unreachable or refused the cosignature).
 */
const EXIT = { ok: 0, alarm: 1, usage: 2, failed: 3 } as const;

class UsageError extends Error {}

interface Options {
  init?: boolean;
  logUrl?: string;
  logKey?: string;
  witnessKey: string;
  name: string;
  state?: string;
  once?: boolean;
  interval?: number;
}

const positiveSeconds = (value: string) => {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError('must be a positive number of seconds');
  return seconds;
};

const keyName = (value: string) => {
  if (!isValidKeyName(value))
    throw new InvalidArgumentError('a key name has no spaces and no plus sign');
  return value;
};

function required<T>(value: T | undefined, option: string): T {
  if (value === undefined) throw new UsageError(`${option} is required`);
  return value;
}

function witnessOptions(options: Options): WitnessOptions {
  const logUrl = required(options.logUrl, '--log-url');
  try {
    const protocol = new URL(logUrl).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error(protocol);
  } catch {
    throw new UsageError(`--log-url ${logUrl} is not an http(s) URL`);
  }
  const logKeyFile = required(options.logKey, '--log-key');
  let logKeyText: string;
  try {
    logKeyText = readFileSync(logKeyFile, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the log key ${logKeyFile}: ${(error as Error).message}`);
  }
  let logKey;
  try {
    logKey = parseVerifierKey(logKeyText, SIGNATURE_TYPE.ed25519);
  } catch (error) {
    throw new UsageError(
      `${logKeyFile} is not the log's verifier key: ${(error as Error).message}`,
    );
  }
  let loaded;
  try {
    loaded = loadWitnessKey(options.witnessKey);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (loaded.readableByOthers)
    process.stderr.write(`audit-witness: warning: ${options.witnessKey} is readable by others\n`);
  return {
    logUrl,
    logKey,
    cosigner: { name: options.name, privateKey: loaded.privateKey },
    stateFile: required(options.state, '--state'),
  };
}

/** One line per round on stdout; an alarm's line and both checkpoints as evidence on stderr. */
function report(outcome: RoundOutcome): number {
  switch (outcome.kind) {
    case 'cosigned':
      process.stdout.write(
        `audit-witness: cosigned ${describeCheckpoint(outcome.checkpoint)} at ${outcome.time}` +
          (outcome.previous ? ` (extends size ${outcome.previous.size})` : ' (first seen)') +
          '\n',
      );
      return EXIT.ok;
    case 'unchanged':
      process.stdout.write(
        `audit-witness: unchanged ${describeCheckpoint(outcome.checkpoint)}, cosigned before\n`,
      );
      return EXIT.ok;
    case 'alarm': {
      const seen = outcome.seen ? `\n--- seen (kept) ---\n${outcome.seen.note}` : '';
      process.stderr.write(
        `audit-witness: ALARM ${outcome.alarm}: ${outcome.detail}; not cosigned, state kept\n` +
          `--- served ---\n${outcome.served}${outcome.served.endsWith('\n') ? '' : '\n'}${seen}`,
      );
      return EXIT.alarm;
    }
    case 'failed':
      process.stderr.write(`audit-witness: round failed: ${outcome.detail}\n`);
      return EXIT.failed;
  }
}

async function run(options: Options): Promise<number> {
  if (options.init) {
    const verifierKey = createWitnessKey(options.witnessKey, options.name);
    process.stdout.write(`${verifierKey}\n`);
    return EXIT.ok;
  }
  if (options.once && options.interval !== undefined)
    throw new UsageError('give --once or --interval, not both');
  const witness = witnessOptions(options);
  process.stderr.write(
    `audit-witness: ${witnessVerifierKey(options.name, witness.cosigner.privateKey)} watching ` +
      `${witness.logUrl} (log key ${witness.logKey.name}, ${encodeBase64(witness.logKey.rawPublicKey).slice(0, 8)}…)\n`,
  );
  if (options.interval === undefined) return report(await runWitnessRound(witness));

  // Every interval until SIGINT or SIGTERM; an alarm or a failed round is reported and the next
  // round runs against the same kept state.
  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopping = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let worst: number = EXIT.ok;
  while (!stopping) {
    const code = report(await runWitnessRound(witness));
    if (code === EXIT.alarm) worst = EXIT.alarm;
    // A referenced timer: it is what keeps the process alive between rounds; a signal wakes it.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, (options.interval ?? 10) * 1000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  return worst;
}

const program = new Command()
  .name('audit-witness')
  .description('Witness the audit log: verify, remember and cosign its checkpoints')
  .option('--init', 'create the witness key (--witness-key, --name) and print its verifier key')
  .option('--log-url <url>', 'the service, e.g. http://127.0.0.1:3000')
  .option('--log-key <file>', "the log's verifier key (GET /.well-known/audit-log-key)")
  .requiredOption('--witness-key <file>', "the witness's Ed25519 private key, PKCS #8 PEM")
  .requiredOption('--name <name>', "the witness's key name, e.g. witness.example/w1", keyName)
  .option('--state <file>', 'where the witness keeps the largest checkpoint it verified')
  .option('--once', 'one round, then exit (the default)')
  .option('--interval <seconds>', 'a round every so many seconds until stopped', positiveSeconds)
  .exitOverride()
  .action(async (options: Options) => {
    process.exitCode = await run(options);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
    return;
  }
  process.stderr.write(
    `audit-witness: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  const cannotRun =
    error instanceof UsageError ||
    error instanceof WitnessKeyError ||
    error instanceof WitnessStateError;
  process.exitCode = cannotRun ? EXIT.usage : EXIT.failed;
});
