import type { EventStore } from '../../event-store/event-store.port';
import { ProblemError } from '../../http/problem-details';
import type { Actor, RecordedActor } from '../../shared/domain/actor';
import { parseCheckpointText } from '../domain/checkpoint';
import { verifyCosignature } from '../domain/cosignature';
import { sameHash, toBase64 } from '../domain/hashing';
import { leafText } from '../domain/leaf';
import { mayReadLeaf } from '../domain/leaf-visibility';
import { formatSignedNote, parseSignedNote, type VerifierKey } from '../domain/signed-note';
import type { CheckpointStore, StoredCheckpoint } from '../persistence/checkpoint-store';
import { leafEventOf, leafHashOfRecorded } from '../projections/audit-log.projection';
import type { AuditLogQueries } from '../queries/audit-log-queries';
import type { LogKey } from '../signing/log-key';

export interface LogEntry {
  leafIndex: number;
  leafHash: string;
  leaf?: string;
}

/** 422 with a code of ours: the request was well formed but names what the log cannot answer. */
const unanswerable = (code: string, detail: string) => new ProblemError(422, code, detail);

/** What the log's routes answer, from the tree, the signed checkpoints and the store. */
export class AuditLogService {
  constructor(
    private readonly tree: AuditLogQueries,
    private readonly checkpoints: CheckpointStore,
    private readonly key: LogKey,
    private readonly witnesses: readonly VerifierKey[],
    private readonly store: EventStore,
    private readonly streamPrefixes: () => readonly string[],
  ) {}

  verifierKey(): string {
    return this.key.verifierKey();
  }

  /** The newest checkpoint (or the newest cosigned one) with the trusted witnesses' cosignatures. */
  checkpointNote(cosigned: boolean): string {
    const names = this.witnesses.map((witness) => witness.name);
    const checkpoint = cosigned
      ? this.checkpoints.latestCosigned(names)
      : this.checkpoints.latest();
    if (!checkpoint) {
      throw new ProblemError(
        404,
        cosigned ? 'no-cosigned-checkpoint' : 'no-checkpoint',
        cosigned
          ? 'No trusted witness has cosigned a checkpoint of this log yet.'
          : 'The log has not signed a checkpoint yet: it signs one once the first event is recorded.',
      );
    }
    return this.noteOf(checkpoint);
  }

  /** A signed checkpoint as served: its note with the trusted witnesses' cosignatures. */
  noteOf(checkpoint: StoredCheckpoint): string {
    const names = this.witnesses.map((witness) => witness.name);
    const cosignatures = this.checkpoints
      .cosignaturesOf(checkpoint.treeSize)
      .filter((cosignature) => names.includes(cosignature.witness))
      .map((cosignature) => cosignature.line);
    const note = parseSignedNote(checkpoint.note);
    const own = note ? note.signatures.map((signature) => signature.line) : [];
    return formatSignedNote(checkpoint.text, [...own, ...cosignatures]);
  }

  consistency(from: number, to: number) {
    this.assertSigned(to, 'to');
    return { from, to, proof: this.tree.consistencyProof(from, to).map(toBase64) };
  }

  inclusion(leaf: { leafIndex?: number; eventId?: string }, treeSize: number) {
    this.assertSigned(treeSize, 'treeSize');
    const leafIndex = leaf.leafIndex ?? this.tree.leafIndexOf(leaf.eventId as string);
    if (leafIndex === undefined) {
      throw new ProblemError(
        404,
        'event-not-in-log',
        'No leaf of this log is that event (or the log has not reached it yet).',
      );
    }
    if (leafIndex >= treeSize) {
      throw unanswerable(
        'leaf-not-in-tree',
        `Leaf ${leafIndex} is not in the tree of ${treeSize} leaves; ask for a later checkpoint's size.`,
      );
    }
    const [stored] = this.tree.leaves(leafIndex, 1);
    return {
      leafIndex,
      treeSize,
      leafHash: toBase64(stored.leafHash),
      // A signed size's root is on file: the common request (a checkpoint's size) costs no hashing.
      rootHash: toBase64(this.checkpoints.bySize(treeSize)?.root ?? this.tree.rootHash(treeSize)),
      proof: this.tree.inclusionProof(leafIndex, treeSize).map(toBase64),
    };
  }

  /**
   * Leaves from `start`: every hash, and the leaf text where the caller may see the event. A text
   * is only served when it still hashes to the recorded leaf: an edited store row is withheld,
   * never passed off as the logged event (the tamper check reports it).
   */
  async entries(start: number, limit: number, caller: Actor): Promise<{ entries: LogEntry[] }> {
    const size = this.tree.size();
    if (start >= size && !(start === 0 && size === 0)) {
      throw unanswerable(
        'beyond-the-tree',
        `The tree has ${size} leaves; start must be below that.`,
      );
    }
    const leaves = this.tree.leaves(start, limit);
    if (leaves.length === 0) return { entries: [] };
    const events = await this.store.readAll({
      // Positions are integers: the first event after position − 1 is the leaf's own.
      after: leaves[0].position - 1n,
      maxCount: leaves.length,
      streamPrefixes: this.streamPrefixes(),
    });
    const entries = leaves.map((leaf, k): LogEntry => {
      const entry: LogEntry = { leafIndex: leaf.leafIndex, leafHash: toBase64(leaf.leafHash) };
      const event = events[k];
      if (!event || event.position !== leaf.position) return entry;
      if (!sameHash(leafHashOfRecorded(event), leaf.leafHash)) return entry;
      const recordedBy = (event.metadata as { actor?: RecordedActor }).actor;
      if (!mayReadLeaf(caller, recordedBy)) return entry;
      return {
        ...entry,
        leaf: leafText(leafEventOf(event)),
      };
    });
    return { entries };
  }

  /** Accepts a trusted witness's cosignature of a checkpoint this log signed; 422 naming why not. */
  acceptCosignature(checkpoint: string, cosignature: string): void {
    // The note text as cosigned; a whole signed note is accepted too, its text is what counts.
    const text = parseSignedNote(checkpoint)?.text ?? checkpoint;
    const parsed = parseCheckpointText(text);
    const signed: StoredCheckpoint | undefined = parsed
      ? this.checkpoints.bySize(parsed.size)
      : undefined;
    if (!parsed || !signed || signed.text !== text) {
      throw unanswerable(
        'unknown-checkpoint',
        'This log never signed that checkpoint (origin, size and root must be one of its checkpoints, byte for byte).',
      );
    }
    const check = verifyCosignature(cosignature, text, this.witnesses);
    if (!check.ok) {
      const code = check.reason === 'unknown-witness' ? 'unknown-witness' : 'bad-cosignature';
      throw unanswerable(code, `Cosignature refused: ${check.detail}.`);
    }
    this.checkpoints.saveCosignature(signed.treeSize, check.cosignature);
  }

  /** A size a proof is asked against must be one the log signed a checkpoint for or below. */
  private assertSigned(size: number, parameter: string): void {
    const latest = this.checkpoints.latest()?.treeSize ?? 0;
    if (size > latest) {
      throw unanswerable(
        'tree-size-not-signed',
        `${parameter}=${size} is beyond the newest checkpoint (${latest} leaves); proofs are given only within signed trees.`,
      );
    }
    // A rebuilt read model replays the store: until it is back at this size, no proof is made up.
    if (size > this.tree.size()) {
      throw new ProblemError(
        503,
        'log-catching-up',
        'This instance is still rebuilding the tree from the store; retry shortly.',
        { 'retry-after': '5' },
      );
    }
  }
}
