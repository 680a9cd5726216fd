import { performance } from 'node:perf_hooks';
import type { EventStore, RecordedEvent } from '../../event-store/event-store.port';
import type {
  HistoryIntegrity,
  HistoryRewrite,
  HistoryRewriteKind,
} from '../../signing/history-integrity';
import { sameHash } from '../domain/hashing';
import { MerkleFrontier } from '../domain/merkle-frontier';
import type { CheckpointStore, StoredCheckpoint } from '../persistence/checkpoint-store';
import type { StoredLeaf } from '../persistence/sqlite-merkle-tree';
import { leafHashOfRecorded } from '../projections/audit-log.projection';
import type { AuditLogQueries } from '../queries/audit-log-queries';

export type HistoryCheckOutcome =
  | { outcome: 'intact'; checkedLeaves: number }
  | { outcome: 'rewritten'; rewrite: HistoryRewrite }
  /** The read model was replayed meanwhile: what was read no longer describes it; check again. */
  | { outcome: 'interrupted' };

export interface HistoryVerifierOptions {
  /**
   * Events read and hashed at once: memory stays bounded by it, and so does the time one page
   * holds the event loop (about 25 µs an event: one or two milliseconds a page, so a request that
   * arrives meanwhile waits no longer than that).
   */
  pageSize?: number;
  /**
   * The pause after each page, as a multiple of the time the page took: 3 gives the check at most
   * a quarter of the event loop, so a check of millions of events never stalls the requests.
   */
  idleFactor?: number;
  now?: () => Date;
  /** Whether to stop between pages (the service is shutting down). */
  stopping?: () => boolean;
}

const DETAILS: Record<HistoryRewriteKind, string> = {
  edited: 'the stored event at this leaf is not the one the log recorded: its content changed',
  missing: 'the event the log recorded at this leaf is no longer in the store',
  truncated: 'the store ends before the tree the log recorded and signed',
  reordered: 'the store holds the recorded events in another order from this leaf on',
  inserted: 'the store holds an event here that the log never recorded',
  'root-mismatch':
    'the store no longer gives the root of a signed checkpoint; the first differing leaf is at or after this one',
};

/**
 * Re-reads the store, page by page, recomputes every leaf and compares it with the leaf the log
 * recorded (the read model's hashes) and the roots with every checkpoint it signed (its own file).
 * The first difference is classified (edited, missing, truncated, reordered, inserted, or a
 * checkpoint root that no longer comes out) and set on the history-integrity gate, which stops
 * checkpoints and bundles from being signed.
 */
export class HistoryVerifier {
  private readonly pageSize: number;
  private readonly idleFactor: number;

  constructor(
    private readonly store: EventStore,
    private readonly streamPrefixes: () => readonly string[],
    private readonly tree: AuditLogQueries,
    private readonly checkpoints: CheckpointStore,
    private readonly integrity: HistoryIntegrity,
    private readonly options: HistoryVerifierOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 50;
    this.idleFactor = options.idleFactor ?? 3;
  }

  /**
   * Whether the tree is still far behind the store (a new instance, a rebuilt read model): a check
   * then would re-read and re-hash the store beside the catch-up that is doing the same, and slow
   * it down; the projection's own appends and the checkpointer's root check run meanwhile.
   */
  async catchingUp(threshold = 1000): Promise<boolean> {
    const size = this.tree.size();
    const after = size === 0 ? undefined : this.tree.leaves(size - 1, 1)[0]?.position;
    const ahead = await this.store.readAll({
      after,
      maxCount: threshold,
      streamPrefixes: this.streamPrefixes(),
    });
    return ahead.length >= threshold;
  }

  /** Runs one check and records its verdict on the gate. */
  async verify(): Promise<HistoryCheckOutcome> {
    const outcome = await this.compare();
    if (outcome.outcome === 'intact')
      this.integrity.markIntact(outcome.checkedLeaves, this.options.now?.());
    if (outcome.outcome === 'rewritten') this.integrity.markRewritten(outcome.rewrite);
    return outcome;
  }

  private async compare(): Promise<HistoryCheckOutcome> {
    const generation = this.tree.generation();
    const recorded = this.tree.size();
    const signed = new CheckpointCursor(this.checkpoints);
    const target = Math.max(recorded, this.checkpoints.latest()?.treeSize ?? 0);
    const frontier = MerkleFrontier.empty();
    let lastMatchingCheckpoint = 0;
    let index = 0;
    let after: bigint | undefined;
    while (index < target) {
      if (this.options.stopping?.()) return { outcome: 'interrupted' };
      const pageStarted = performance.now();
      const page = await this.readPage(after);
      if (page.length === 0) break;
      if (this.tree.generation() !== generation) return { outcome: 'interrupted' };
      const known = index < recorded ? this.tree.leaves(index, page.length) : [];
      for (const [k, event] of page.entries()) {
        if (index >= target) break;
        const hash = leafHashOfRecorded(event);
        const leaf = known[k];
        if (leaf && !sameHash(hash, leaf.leafHash))
          return this.rewritten(await this.classify(index, event, leaf), index, leaf);
        frontier.append(hash);
        index += 1;
        for (const checkpoint of signed.reaching(index)) {
          if (!sameHash(frontier.root(), checkpoint.root)) {
            return this.rewritten('root-mismatch', lastMatchingCheckpoint, undefined);
          }
          lastMatchingCheckpoint = checkpoint.treeSize;
        }
      }
      after = page[page.length - 1].position;
      // A background check, not a stall: requests get the loop between pages, most of the time.
      const busyMs = performance.now() - pageStarted;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(busyMs * this.idleFactor)));
    }
    if (this.tree.generation() !== generation) return { outcome: 'interrupted' };
    if (index < target) {
      const [leaf] = index < recorded ? this.tree.leaves(index, 1) : [];
      return this.rewritten('truncated', index, leaf);
    }
    return { outcome: 'intact', checkedLeaves: index };
  }

  private readPage(after: bigint | undefined): Promise<RecordedEvent[]> {
    return this.store.readAll({
      after,
      maxCount: this.pageSize,
      streamPrefixes: this.streamPrefixes(),
    });
  }

  /**
   * Which rewrite makes the store's event at `index` differ from the recorded leaf: the same event
   * id is an edit; an id the log never recorded is an insertion; an id recorded at a later leaf
   * means the recorded event is either further on (reordered) or gone (missing), told apart by
   * looking for the recorded leaf's hash in the rest of the store, a page at a time.
   */
  private async classify(
    index: number,
    found: RecordedEvent,
    recorded: StoredLeaf,
  ): Promise<HistoryRewriteKind> {
    const recordedAt = this.tree.leafIndexOf(found.id);
    if (recordedAt === index) return 'edited';
    if (recordedAt === undefined) return 'inserted';
    if (recordedAt < index) return 'reordered';
    let after: bigint | undefined = found.position;
    for (;;) {
      const page = await this.readPage(after);
      if (page.length === 0) return 'missing';
      if (page.some((event) => sameHash(leafHashOfRecorded(event), recorded.leafHash)))
        return 'reordered';
      after = page[page.length - 1].position;
    }
  }

  private rewritten(
    kind: HistoryRewriteKind,
    leafIndex: number,
    leaf: StoredLeaf | undefined,
  ): HistoryCheckOutcome {
    return {
      outcome: 'rewritten',
      rewrite: {
        kind,
        leafIndex,
        ...(leaf ? { position: leaf.position.toString() } : {}),
        detail: DETAILS[kind],
        detectedAt: (this.options.now?.() ?? new Date()).toISOString(),
      },
    };
  }
}

/** The signed checkpoints by increasing size, read a page at a time as the check reaches them. */
class CheckpointCursor {
  private buffered: StoredCheckpoint[] = [];
  private lastSize = 0;
  private exhausted = false;

  constructor(private readonly checkpoints: CheckpointStore) {}

  /** The checkpoints of exactly `size` leaves (at most one: sizes only grow). */
  *reaching(size: number): Generator<StoredCheckpoint> {
    for (;;) {
      if (this.buffered.length === 0 && !this.exhausted) {
        this.buffered = this.checkpoints.after(this.lastSize, 256);
        this.exhausted = this.buffered.length === 0;
      }
      const next = this.buffered[0];
      if (!next || next.treeSize > size) return;
      this.buffered.shift();
      this.lastSize = next.treeSize;
      if (next.treeSize === size) yield next;
    }
  }
}
