import type Database from 'better-sqlite3';
import { nodeHash } from '../domain/hashing';
import type { PerfectSubtrees } from '../domain/merkle-tree';
import { uuidBytes } from '../../shared/infrastructure/compact-columns';

/** Perfect subtrees of this level and above are stored; below it they are re-hashed from leaves. */
export const STORED_FROM_LEVEL = 4;

/**
 * One integer per stored subtree, growing in the order subtrees complete: the leaf count at which
 * it completed, times 64, plus its level (several complete with the same leaf, lowest first). Rows
 * are therefore appended in key order, as the leaves are.
 */
export function nodeKey(level: number, index: number): number {
  return (index + 1) * 2 ** level * 64 + level;
}

/** A UUID as its 16 bytes; anything else as 0xff ‖ its UTF-8 bytes (never 16 bytes long, so never equal to a UUID's). */
export function eventIdKey(eventId: string): Buffer {
  return uuidBytes(eventId) ?? Buffer.concat([Buffer.of(0xff), Buffer.from(eventId, 'utf8')]);
}

export interface StoredLeaf {
  leafIndex: number;
  leafHash: Uint8Array;
  position: bigint;
}

/** The tree's tables in the read model: what the projection writes and every proof reads. */
export class SqliteMerkleTree implements PerfectSubtrees {
  private prepared: ReturnType<typeof prepareStatements> | undefined;

  /** The tables are installed after the providers are made: statements are prepared on first use. */
  constructor(private readonly db: Database.Database) {}

  private get statements(): ReturnType<typeof prepareStatements> {
    this.prepared ??= prepareStatements(this.db);
    return this.prepared;
  }

  /** Leaves in the tree now. */
  size(): number {
    const last = this.statements.lastLeaf.get();
    return last === undefined ? 0 : last.leaf_index + 1;
  }

  hash(level: number, index: number): Uint8Array {
    if (level >= STORED_FROM_LEVEL) {
      const row = this.statements.node.get(nodeKey(level, index));
      if (!row) throw new Error(`Subtree ${level}/${index} is not in the tree`);
      return new Uint8Array(row.hash);
    }
    const width = 2 ** level;
    const hashes = this.leafHashes(index * width, width);
    if (hashes.length !== width) throw new Error(`Subtree ${level}/${index} is not in the tree`);
    return foldPerfect(hashes);
  }

  leafHashes(start: number, count: number): Uint8Array[] {
    return this.statements.leafHashes.all(start, count).map((row) => new Uint8Array(row.leaf_hash));
  }

  leaves(start: number, count: number): StoredLeaf[] {
    return this.statements.leaves.all(start, count).map((row) => ({
      leafIndex: Number(row.leaf_index),
      leafHash: new Uint8Array(row.leaf_hash),
      position: row.position,
    }));
  }

  positionOf(leafIndex: number): bigint | undefined {
    return this.statements.positionOf.get(leafIndex)?.position;
  }

  appendLeaf(leafIndex: number, leafHash: Uint8Array, position: bigint, eventId: string): void {
    this.statements.insertLeaf.run(leafIndex, leafHash, position);
    this.statements.insertEventId.run(eventIdKey(eventId), leafIndex);
  }

  putSubtree(level: number, index: number, hash: Uint8Array): void {
    if (level >= STORED_FROM_LEVEL) this.statements.insertNode.run(nodeKey(level, index), hash);
  }

  leafIndexOf(eventId: string): number | undefined {
    return this.statements.leafOfEvent.get(eventIdKey(eventId))?.leaf_index;
  }

  /**
   * The last leaf whose event is at or before `position`. Positions grow with leaf indexes, so a
   * binary search over leaf indexes finds it in O(log n) point reads, with no index on positions.
   */
  leafIndexAtOrBefore(position: bigint): number | undefined {
    let low = 0;
    let high = this.size() - 1;
    let found: number | undefined;
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      const at = this.positionOf(middle) as bigint;
      if (at <= position) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }
}

/** The root of a perfect subtree from its leaf hashes (a power of two of them). */
function foldPerfect(hashes: Uint8Array[]): Uint8Array {
  let level = hashes;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    level = next;
  }
  return level[0];
}

function prepareStatements(db: Database.Database) {
  return {
    lastLeaf: db.prepare<[], { leaf_index: number }>(
      'SELECT leaf_index FROM audit_log_leaves ORDER BY leaf_index DESC LIMIT 1',
    ),
    leafHashes: db.prepare<[number, number], { leaf_hash: Buffer }>(
      'SELECT leaf_hash FROM audit_log_leaves WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?',
    ),
    leaves: db
      .prepare<[number, number], { leaf_index: bigint; leaf_hash: Buffer; position: bigint }>(
        'SELECT leaf_index, leaf_hash, position FROM audit_log_leaves WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?',
      )
      .safeIntegers(true),
    positionOf: db
      .prepare<[number], { position: bigint }>(
        'SELECT position FROM audit_log_leaves WHERE leaf_index = ?',
      )
      .safeIntegers(true),
    node: db.prepare<[number], { hash: Buffer }>('SELECT hash FROM audit_log_nodes WHERE id = ?'),
    insertLeaf: db.prepare(
      'INSERT INTO audit_log_leaves (leaf_index, leaf_hash, position) VALUES (?, ?, ?)',
    ),
    insertNode: db.prepare('INSERT INTO audit_log_nodes (id, hash) VALUES (?, ?)'),
    insertEventId: db.prepare(
      // An id the store holds twice (EventStoreDB does not forbid it across streams) keeps its first leaf.
      'INSERT OR IGNORE INTO audit_log_event_leaves (event_id, leaf_index) VALUES (?, ?)',
    ),
    leafOfEvent: db.prepare<[Buffer], { leaf_index: number }>(
      'SELECT leaf_index FROM audit_log_event_leaves WHERE event_id = ?',
    ),
  };
}
