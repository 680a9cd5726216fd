import type { RecordedEvent } from '../../event-store/event-store.port';
import type { Projection } from '../../read-model/projection';
import { leafHashOf, type LeafEvent } from '../domain/leaf';
import { MerkleFrontier } from '../domain/merkle-frontier';
import type { SqliteMerkleTree } from '../persistence/sqlite-merkle-tree';

/** The members of a recorded event that make its leaf (docs/audit-log.md §1). */
export const leafEventOf = (event: RecordedEvent): LeafEvent => ({
  stream: event.streamId,
  revision: event.revision,
  eventId: event.id,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
});

/** The leaf hash of a recorded event. */
export const leafHashOfRecorded = (event: RecordedEvent): Uint8Array =>
  leafHashOf(leafEventOf(event));

/**
 * Appends every event of the global order to the tree: its leaf, and each perfect subtree it
 * completes, in the runner's transaction with the checkpoint, so each event is a leaf exactly
 * once. The right edge of the tree stays in memory (O(log n)); after a rollback or a replay it is
 * read again from the tables.
 */
export class AuditLogProjection implements Projection {
  readonly name = 'audit-log';
  private frontier: MerkleFrontier | undefined;
  /** Bumped whenever the tables may have lost leaves (rollback, replay): a running check restarts. */
  private generationCounter = 0;

  constructor(private readonly tree: SqliteMerkleTree) {}

  get generation(): number {
    return this.generationCounter;
  }

  apply(event: RecordedEvent): void {
    this.frontier ??= MerkleFrontier.of(this.tree, this.tree.size());
    const hash = leafHashOfRecorded(event);
    this.tree.appendLeaf(this.frontier.size, hash, event.position, event.id);
    for (const subtree of this.frontier.append(hash))
      this.tree.putSubtree(subtree.level, subtree.index, subtree.hash);
  }

  forget(): void {
    this.frontier = undefined;
    this.generationCounter += 1;
  }
}
