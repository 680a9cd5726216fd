import { EMPTY_ROOT, nodeHash } from './hashing';
import type { PerfectSubtrees } from './merkle-tree';

/** A perfect subtree that became complete when a leaf was appended. */
export interface CompletedSubtree {
  level: number;
  index: number;
  hash: Uint8Array;
}

/**
 * The right edge of a growing tree: the roots of its perfect subtrees, largest first (one per set
 * bit of the size). Appending a leaf merges equal-sized neighbours, O(log n), and names every
 * perfect subtree it completes, so a store can keep them; the root folds the edge from the right.
 * Memory stays O(log n) however many leaves pass through, which is what lets a whole store be
 * re-hashed in a stream.
 */
export class MerkleFrontier {
  private readonly edge: { level: number; hash: Uint8Array }[];

  private constructor(
    private leaves: number,
    edge: { level: number; hash: Uint8Array }[],
  ) {
    this.edge = edge;
  }

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** The edge of the tree of `size` leaves, read from its perfect subtrees: O(log size) reads. */
  static of(tree: PerfectSubtrees, size: number): MerkleFrontier {
    const edge: { level: number; hash: Uint8Array }[] = [];
    let start = 0;
    for (let level = Math.floor(Math.log2(Math.max(size, 1))); level >= 0; level--) {
      const width = 2 ** level;
      if (size - start >= width) {
        edge.push({ level, hash: tree.hash(level, start / width) });
        start += width;
      }
    }
    return new MerkleFrontier(size, edge);
  }

  get size(): number {
    return this.leaves;
  }

  /** Appends one leaf hash; answers the perfect subtrees (level ≥ 1) it completed, lowest first. */
  append(leafHash: Uint8Array): CompletedSubtree[] {
    const completed: CompletedSubtree[] = [];
    let carry = { level: 0, hash: leafHash };
    const index = this.leaves;
    while (this.edge.length > 0 && this.edge[this.edge.length - 1].level === carry.level) {
      const left = this.edge.pop() as { level: number; hash: Uint8Array };
      carry = { level: carry.level + 1, hash: nodeHash(left.hash, carry.hash) };
      completed.push({
        level: carry.level,
        index: Math.floor(index / 2 ** carry.level),
        hash: carry.hash,
      });
    }
    this.edge.push(carry);
    this.leaves += 1;
    return completed;
  }

  root(): Uint8Array {
    if (this.edge.length === 0) return EMPTY_ROOT;
    let root = this.edge[this.edge.length - 1].hash;
    for (let i = this.edge.length - 2; i >= 0; i--) root = nodeHash(this.edge[i].hash, root);
    return root;
  }
}
