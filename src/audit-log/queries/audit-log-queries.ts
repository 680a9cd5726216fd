import { consistencyProof, inclusionProof, rootHash } from '../domain/merkle-tree';
import type { AuditLogProjection } from '../projections/audit-log.projection';
import type { SqliteMerkleTree, StoredLeaf } from '../persistence/sqlite-merkle-tree';

/**
 * What the rest of the service may ask of the log: which leaf an event is (the audit view and the
 * bundles name it), and the tree's hashes and proofs. Every answer is read from the read model in
 * O(log n) reads.
 */
export class AuditLogQueries {
  constructor(
    private readonly tree: SqliteMerkleTree,
    private readonly projection: AuditLogProjection,
  ) {}

  /** Leaves in the tree now (the read model's view; the newest checkpoint may be smaller). */
  size(): number {
    return this.tree.size();
  }

  /** The leaf of the event with this id; undefined while the read model has not applied it. */
  leafIndexOf(eventId: string): number | undefined {
    return this.tree.leafIndexOf(eventId);
  }

  /** The last leaf at or before a store position (e.g. what a read-model state reflects). */
  leafIndexAtOrBefore(position: bigint): number | undefined {
    return this.tree.leafIndexAtOrBefore(position);
  }

  leaves(start: number, count: number): StoredLeaf[] {
    return this.tree.leaves(start, count);
  }

  rootHash(size: number): Uint8Array {
    return rootHash(this.tree, size);
  }

  inclusionProof(leafIndex: number, size: number): Uint8Array[] {
    return inclusionProof(this.tree, leafIndex, size);
  }

  consistencyProof(first: number, second: number): Uint8Array[] {
    return consistencyProof(this.tree, first, second);
  }

  /** Changes whenever the tables may have lost leaves (a replay): long reads start again. */
  generation(): number {
    return this.projection.generation;
  }
}

export const AUDIT_LOG_QUERIES = Symbol('AuditLogQueries');
