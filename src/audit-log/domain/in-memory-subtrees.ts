import { nodeHash } from './hashing';
import type { PerfectSubtrees } from './merkle-tree';

/**
 * Perfect subtrees over leaf hashes held in memory, computed on demand (and remembered): what the
 * tree's algorithms read in tests, and in anything small enough to keep in memory.
 */
export class InMemorySubtrees implements PerfectSubtrees {
  private readonly known = new Map<string, Uint8Array>();

  constructor(private readonly leaves: readonly Uint8Array[]) {}

  hash(level: number, index: number): Uint8Array {
    if ((index + 1) * 2 ** level > this.leaves.length)
      throw new RangeError(
        `Subtree ${level}/${index} is not complete in ${this.leaves.length} leaves`,
      );
    if (level === 0) return this.leaves[index];
    const key = `${level}/${index}`;
    let hash = this.known.get(key);
    if (!hash) {
      hash = nodeHash(this.hash(level - 1, 2 * index), this.hash(level - 1, 2 * index + 1));
      this.known.set(key, hash);
    }
    return hash;
  }
}
