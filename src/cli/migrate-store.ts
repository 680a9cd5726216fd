import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { SqliteEventStore } from '../event-store/embedded/sqlite-event-store';
import { EventStoreDbEventStore } from '../event-store/eventstoredb/eventstoredb-event-store';
import type { EventStore } from '../event-store/event-store.port';
import { copyEvents, type CopyProgress } from '../event-store/migration/copy-events';
import { exitCodeOfParsing } from './command-line';

/**
 * migrate-store: copies every event of one event store into another (embedded SQLite ⇄
 * EventStoreDB) through the event-store port, keeping the global order, stream revisions and event
 * ids. Interrupt it at any time (Ctrl-C, kill, crash) and run it again: it resumes where the target is.
 *
 *   migrate-store --from data/events.db --to 'esdb://localhost:2113?tls=false'
 *   migrate-store --from 'esdb://localhost:2113?tls=false' --to sqlite:data/events.db
 */

type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface MigrateStoreIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const LINE_EVERY = 5_000;

export async function migrateStore(
  argv: readonly string[],
  io: MigrateStoreIo = process,
): Promise<number> {
  const program = new Command('migrate-store')
    .description(
      'Copy every event from one event store to another, keeping global order, stream revisions and event ids.\n' +
        'Safe to interrupt and run again: it resumes after the newest event already in the target.\n\n' +
        'A store is an EventStoreDB connection string (esdb://... or esdb+discover://...)\n' +
        'or the path of an embedded store\'s SQLite file (optionally prefixed "sqlite:").',
    )
    .requiredOption('--from <store>', 'the store to copy from (an embedded store must exist)')
    .requiredOption(
      '--to <store>',
      'the store to copy into (empty, or holding a copy of the beginning of the source)',
    )
    .option(
      '--page-size <events>',
      'events read from the source per request',
      positiveInteger,
      2000,
    )
    .addOption(
      new Option(
        '--progress <mode>',
        'bar on a terminal and nothing otherwise (auto), or always bar, lines or none',
      )
        .choices(['auto', 'bar', 'lines', 'none'])
        .default('auto'),
    );
  const exitCode = exitCodeOfParsing(program, argv, io);
  if (exitCode !== undefined) return exitCode;
  const options = program.opts<{
    from: string;
    to: string;
    pageSize: number;
    progress: ProgressMode;
  }>();

  let source: EventStore | undefined;
  let target: EventStore | undefined;
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const progress = progressReporter(
    options.progress === 'auto' ? (io.stderr.isTTY ? 'bar' : 'none') : options.progress,
    io,
  );
  try {
    source = openStore(options.from, 'source');
    target = openStore(options.to, 'target');
    const result = await copyEvents(source, target, {
      pageSize: options.pageSize,
      onProgress: (copied) => progress.update(copied),
      signal: controller.signal,
    });
    progress.stop();
    io.stdout.write(
      `Copied ${result.copied} events${result.resumed ? ' (resumed after the events already in the target)' : ''}.\n`,
    );
    return 0;
  } catch (error) {
    progress.stop();
    if (controller.signal.aborted) {
      io.stderr.write(
        `Interrupted after ${progress.copied()} events; run the same command again to resume.\n`,
      );
      return 130;
    }
    io.stderr.write(
      `migrate-store failed after ${progress.copied()} events: ${(error as Error).message ?? error}\n`,
    );
    return 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await Promise.allSettled([source?.dispose(), target?.dispose()]);
  }
}

function openStore(spec: string, role: 'source' | 'target'): EventStore {
  if (/^esdb(\+discover)?:\/\//i.test(spec))
    return EventStoreDbEventStore.fromConnectionString(spec);
  const file = spec.replace(/^sqlite:/i, '');
  // Opening a missing file would create an empty store and copy nothing, silently.
  if (role === 'source' && !existsSync(file)) throw new Error(`No embedded store at ${file}`);
  return new SqliteEventStore(file);
}

function progressReporter(mode: Exclude<ProgressMode, 'auto'>, io: MigrateStoreIo) {
  let last: CopyProgress | undefined;
  let nextLine = LINE_EVERY;
  let bar: SingleBar | undefined;
  return {
    copied: () => last?.copied ?? 0,
    update(progress: CopyProgress) {
      last = progress;
      // Positions grow with the log: exact for the embedded store, by bytes for EventStoreDB.
      const start = progress.startPosition ?? 0n;
      const total = Number((progress.headPosition ?? start) - start);
      const done = Number((progress.position ?? start) - start);
      if (mode === 'bar') {
        if (!bar) {
          bar = new SingleBar(
            {
              format: 'copying [{bar}] {percentage}% | {copied} events | ETA {eta_formatted}',
              stream: io.stderr,
              hideCursor: true,
            },
            Presets.shades_classic,
          );
          bar.start(Math.max(total, 1), 0, { copied: 0 });
        }
        bar.update(Math.min(done, total), { copied: progress.copied });
      } else if (mode === 'lines' && progress.copied >= nextLine) {
        nextLine = progress.copied + LINE_EVERY;
        io.stderr.write(`copied ${progress.copied} events\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

if (require.main === module) {
  migrateStore(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
