import type { EventStore, NewEvent, RecordedEvent } from '../event-store.port';

export interface CopyEventsOptions {
  /** Events read from the source per page. */
  pageSize?: number;
  /** Upper bound of events in one append (consecutive events of one stream go in one append). */
  maxEventsPerAppend?: number;
  /** Upper bound of the JSON size of one append; EventStoreDB refuses appends over 1 MiB by default. */
  maxBytesPerAppend?: number;
  /** Called after every append and once at the start. */
  onProgress?: (progress: CopyProgress) => void;
  /** Stops between two appends; what was appended stays, and a new run resumes from there. */
  signal?: AbortSignal;
}

export interface CopyProgress {
  /** Events appended to the target by this run. */
  copied: number;
  /** Source position of the last event known to be in the target (undefined: none yet). */
  position: bigint | undefined;
  /** Source position this run started after, and the source's head when it started. */
  startPosition: bigint | undefined;
  headPosition: bigint | undefined;
}

export interface CopyResult {
  copied: number;
  /** True when the target already held events of the source and this run went on after them. */
  resumed: boolean;
}

/** The target holds events that are not the beginning of the source: copying would mix histories. */
export class TargetNotAPrefixError extends Error {
  constructor(detail: string) {
    super(`The target store is not a copy of the beginning of the source: ${detail}`);
    this.name = 'TargetNotAPrefixError';
  }
}

/**
 * Copies every event of `source` into `target` through the port: same global order, same streams,
 * same revisions, same event ids.
 *
 * Each append carries consecutive events of one stream with the exact expected revision (the first
 * event's revision - 1, or no_stream for revision 0), so the target refuses rather than shifts an
 * event, and appends are made one after the other, so the target's order is the source's.
 *
 * Resuming: because appends are atomic and sequential, the target always holds a prefix of the
 * source. On start we take the target's newest event, find the same event in the source (same
 * stream and revision, same id) and continue after its source position; nothing already copied is
 * read twice. An append that landed but whose answer was lost is covered the same way, and were it
 * repeated anyway, the same ids make it a no-op on both adapters.
 */
export async function copyEvents(
  source: EventStore,
  target: EventStore,
  options: CopyEventsOptions = {},
): Promise<CopyResult> {
  const pageSize = options.pageSize ?? 2000;
  const maxEvents = options.maxEventsPerAppend ?? 500;
  const maxBytes = options.maxBytesPerAppend ?? 512 * 1024;

  const startPosition = await findResumePosition(source, target);
  const headPosition = await source.headPosition();
  const progress: CopyProgress = {
    copied: 0,
    position: startPosition,
    startPosition,
    headPosition,
  };
  options.onProgress?.({ ...progress });

  let after = startPosition;
  for (;;) {
    const page = await source.readAll({ after, maxCount: pageSize });
    if (page.length === 0) break;
    for (const run of runsOfOneStream(page, maxEvents, maxBytes)) {
      options.signal?.throwIfAborted();
      await appendRun(target, run);
      progress.copied += run.length;
      progress.position = run[run.length - 1].position;
      options.onProgress?.({ ...progress });
    }
    after = page[page.length - 1].position;
  }
  return { copied: progress.copied, resumed: startPosition !== undefined };
}

/** The source position after which copying goes on: that of the target's newest event. */
async function findResumePosition(
  source: EventStore,
  target: EventStore,
): Promise<bigint | undefined> {
  const targetHead = await target.headPosition();
  if (targetHead === undefined) return undefined;
  // Positions are integers, so the first event after head - 1 is the one at the head.
  const [newest] = await target.readAll({ after: targetHead - 1n, maxCount: 1 });
  if (!newest)
    throw new Error(`The target reports a head position ${targetHead} but no event there`);
  const [inSource] = await source.readStream(newest.streamId, {
    fromRevision: newest.revision,
    maxCount: 1,
  });
  if (!inSource || inSource.id !== newest.id) {
    throw new TargetNotAPrefixError(
      `its newest event ${newest.id} (${newest.streamId}@${newest.revision}) is not that event of the source`,
    );
  }
  return inSource.position;
}

/** Splits a page into runs of consecutive events of one stream, within the size limits. */
function* runsOfOneStream(
  page: readonly RecordedEvent[],
  maxEvents: number,
  maxBytes: number,
): Generator<RecordedEvent[]> {
  let run: RecordedEvent[] = [];
  let bytes = 0;
  for (const event of page) {
    const size =
      JSON.stringify(event.data).length +
      JSON.stringify(event.metadata).length +
      event.type.length +
      64;
    if (
      run.length > 0 &&
      (event.streamId !== run[0].streamId || run.length >= maxEvents || bytes + size > maxBytes)
    ) {
      yield run;
      run = [];
      bytes = 0;
    }
    run.push(event);
    bytes += size;
  }
  if (run.length > 0) yield run;
}

async function appendRun(target: EventStore, run: readonly RecordedEvent[]): Promise<void> {
  const first = run[0];
  const last = run[run.length - 1];
  const events: NewEvent[] = run.map(({ id, type, data, metadata }) => ({
    id,
    type,
    data,
    metadata,
  }));
  const result = await target.appendToStream(
    first.streamId,
    events,
    first.revision === 0 ? 'no_stream' : first.revision - 1,
  );
  if (result.nextExpectedRevision !== last.revision) {
    throw new Error(
      `Copied ${first.streamId}@${first.revision}..${last.revision} but the target answered revision ${result.nextExpectedRevision}`,
    );
  }
}
