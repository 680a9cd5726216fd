import { EventEmitter } from 'node:events';

/**
 * The storage of the EventStoreDB test double: one append-only log in memory, indexed by stream and
 * by event id. It outlives the gRPC server that serves it, so a test can stop and start the server
 * and find its data again.
 */

/** A stored event, close to what EventStoreDB keeps in a prepare record. */
export interface LogRecord {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
  /** .NET ticks since the Unix epoch, as EventStoreDB reports "created". */
  created: bigint;
  /** Log position; used as both commit and prepare position (EventStoreDB 20+ for non-transactional writes). */
  position: number;
}

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

/** EventStoreDB's expected versions: -1 no stream, -2 any, -4 stream exists, >= 0 a revision. */
export type ExpectedVersion = number;
export const EXPECTED_NO_STREAM = -1;
export const EXPECTED_ANY = -2;
export const EXPECTED_STREAM_EXISTS = -4;

export type AppendOutcome =
  | { kind: 'written'; lastRevision: number; position: number }
  /** Nothing written; `lastRevision` is that of the earlier append (-1: no stream). */
  | { kind: 'idempotent'; lastRevision: number }
  | { kind: 'wrong-expected-version'; currentRevision: number | undefined };

/** EventStoreDB's gRPC API reports "created" as .NET ticks (100 ns) since the Unix epoch. */
const TICKS_PER_MS = 10_000n;

export class InMemoryLog {
  readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, number[]>();
  /**
   * EventStoreDB keeps a bounded cache of recently committed event ids (id -> stream, revision) for
   * idempotency checks with ExpectedVersion.Any; this double keeps all of them.
   */
  private readonly committedIds = new Map<string, { streamId: string; revision: number }>();
  private readonly appended = new EventEmitter();
  private nextPosition = 1024;

  constructor() {
    this.appended.setMaxListeners(0);
  }

  /** Position of the newest record, or undefined when the log is empty. */
  get headPosition(): number | undefined {
    return this.records.length === 0 ? undefined : this.records[this.records.length - 1].position;
  }

  onAppended(listener: () => void): () => void {
    this.appended.on('appended', listener);
    return () => this.appended.off('appended', listener);
  }

  streamRecords(streamId: string): readonly number[] | undefined {
    return this.streams.get(streamId);
  }

  lastRevision(streamId: string): number | undefined {
    const indexes = this.streams.get(streamId);
    return indexes === undefined ? undefined : indexes.length - 1;
  }

  /** Index of the first record whose position is greater than or equal to `position`. */
  indexAtOrAfter(position: number): number {
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.records[mid].position < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * EventStoreDB's commit check (IndexWriter.CheckCommit), then the write. The rules, as the server
   * applies them:
   * - stream_exists on a missing stream fails; otherwise it behaves like any.
   * - any: if the first id is a committed event of this stream, the append is a retry when every id
   *   is (idempotent), and corrupted when only some are (answered as a wrong expected version);
   *   a first id that is unknown or belongs to another stream makes it a plain new append.
   * - an expected revision behind the stream: a retry when the events after it carry these ids in
   *   this order; a wrong expected version otherwise.
   * - an expected revision ahead of the stream: a wrong expected version.
   */
  append(
    streamId: string,
    expected: ExpectedVersion,
    events: readonly ProposedEvent[],
  ): AppendOutcome {
    const current = this.lastRevision(streamId);
    const currentVersion = current ?? -1;
    let expectedVersion = expected;
    if (events.length === 0) {
      const matches =
        expected === EXPECTED_ANY ||
        (expected === EXPECTED_STREAM_EXISTS && current !== undefined) ||
        expected === currentVersion;
      return matches
        ? { kind: 'idempotent', lastRevision: currentVersion }
        : { kind: 'wrong-expected-version', currentRevision: current };
    }

    if (expectedVersion === EXPECTED_STREAM_EXISTS) {
      if (current === undefined)
        return { kind: 'wrong-expected-version', currentRevision: current };
      expectedVersion = EXPECTED_ANY;
    }

    if (expectedVersion === EXPECTED_ANY) {
      let first = true;
      let last = -1;
      for (const event of events) {
        const known = this.committedIds.get(event.id);
        if (!known || known.streamId !== streamId) {
          if (first) return this.write(streamId, events);
          return { kind: 'wrong-expected-version', currentRevision: current };
        }
        last = known.revision;
        first = false;
      }
      return first ? this.write(streamId, events) : { kind: 'idempotent', lastRevision: last };
    }

    if (expectedVersion < currentVersion) {
      const indexes = this.streams.get(streamId)!;
      let revision = expectedVersion;
      for (const event of events) {
        revision += 1;
        const index = indexes[revision];
        if (index === undefined || this.records[index].id !== event.id) {
          return { kind: 'wrong-expected-version', currentRevision: current };
        }
      }
      return { kind: 'idempotent', lastRevision: revision };
    }

    if (expectedVersion > currentVersion)
      return { kind: 'wrong-expected-version', currentRevision: current };
    return this.write(streamId, events);
  }

  private write(streamId: string, events: readonly ProposedEvent[]): AppendOutcome {
    let indexes = this.streams.get(streamId);
    if (!indexes) {
      indexes = [];
      this.streams.set(streamId, indexes);
    }
    const created = BigInt(Date.now()) * TICKS_PER_MS;
    let position = 0;
    for (const event of events) {
      position = this.nextPosition;
      // Advance like a log of bytes would: positions are increasing and not dense.
      this.nextPosition +=
        96 + streamId.length + event.type.length + event.data.length + event.metadata.length;
      const revision = indexes.length;
      indexes.push(this.records.length);
      this.records.push({ streamId, revision, ...event, created, position });
      this.committedIds.set(event.id, { streamId, revision });
    }
    this.appended.emit('appended');
    return { kind: 'written', lastRevision: indexes.length - 1, position };
  }
}
