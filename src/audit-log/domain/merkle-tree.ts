import { EMPTY_ROOT, nodeHash } from './hashing';

/**
 * The port the tree's algorithms read through: the hash of a perfect (complete) subtree of
 * 2^level leaves, the `index`-th of its level, i.e. MTH(D[index·2^level : (index+1)·2^level]).
 * Every subtree the RFC 9162 recursion visits is either perfect and aligned, or split into such,
 * so this is all a proof needs, and where the hashes live (SQLite, memory) stays outside.
 */
export interface PerfectSubtrees {
  hash(level: number, index: number): Uint8Array;
}

/** The largest power of two strictly smaller than n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`No split point for ${n}`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number) => n >= 1 && 2 ** Math.round(Math.log2(n)) === n;

/** MTH(D[start : start + size]) for a subtree the recursion visits (start is a multiple of the left part). */
export function subtreeHash(tree: PerfectSubtrees, start: number, size: number): Uint8Array {
  if (size === 0) return EMPTY_ROOT;
  if (isPowerOfTwo(size) && start % size === 0) return tree.hash(Math.log2(size), start / size);
  const k = splitPoint(size);
  return nodeHash(subtreeHash(tree, start, k), subtreeHash(tree, start + k, size - k));
}

/** The root of the tree of the first `size` leaves: O(log size) perfect subtrees read. */
export function rootHash(tree: PerfectSubtrees, size: number): Uint8Array {
  assertSize(size);
  return subtreeHash(tree, 0, size);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the audit path of leaf `index` in the tree of `size` leaves. */
export function inclusionProof(tree: PerfectSubtrees, index: number, size: number): Uint8Array[] {
  assertSize(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size)
    throw new RangeError(`Leaf ${index} is not in a tree of ${size} leaves`);
  const proof: Uint8Array[] = [];
  const path = (m: number, start: number, n: number): void => {
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      path(m, start, k);
      proof.push(subtreeHash(tree, start + k, n - k));
    } else {
      path(m - k, start + k, n - k);
      proof.push(subtreeHash(tree, start, k));
    }
  };
  path(index, 0, size);
  return proof;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]): that the tree of `second` leaves extends the tree of `first`. */
export function consistencyProof(
  tree: PerfectSubtrees,
  first: number,
  second: number,
): Uint8Array[] {
  assertSize(second);
  if (!Number.isSafeInteger(first) || first < 1 || first > second)
    throw new RangeError(`No consistency proof from ${first} to ${second}`);
  const proof: Uint8Array[] = [];
  const subproof = (m: number, start: number, n: number, whole: boolean): void => {
    if (m === n) {
      if (!whole) proof.push(subtreeHash(tree, start, n));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, k, whole);
      proof.push(subtreeHash(tree, start + k, n - k));
    } else {
      subproof(m - k, start + k, n - k, false);
      proof.push(subtreeHash(tree, start, k));
    }
  };
  subproof(first, 0, second, true);
  return proof;
}

function assertSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Bad tree size ${size}`);
}
