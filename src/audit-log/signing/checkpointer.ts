import { checkpointText } from '../domain/checkpoint';
import { sameHash } from '../domain/hashing';
import { formatSignedNote } from '../domain/signed-note';
import type { CheckpointStore, StoredCheckpoint } from '../persistence/checkpoint-store';
import type { AuditLogQueries } from '../queries/audit-log-queries';
import type { HistoryIntegrity } from '../../signing/history-integrity';
import type { LogKey } from './log-key';

export interface CheckpointerOptions {
  origin: string;
  now?: () => Date;
  /** Called when the tree no longer has the root of the last checkpoint: a full check finds where. */
  onDivergence?: () => void;
}

/**
 * Signs the tree's head: at most once per call (the module calls it every
 * AUDIT_LOG_CHECKPOINT_INTERVAL_MS), only when the tree grew, never once the history was found
 * rewritten, and only over a tree that still has the root of the previous checkpoint at its size
 * (a cheap O(log n) guard between two full checks). Every signed checkpoint is kept.
 */
export class Checkpointer {
  constructor(
    private readonly tree: AuditLogQueries,
    private readonly checkpoints: CheckpointStore,
    private readonly key: LogKey,
    private readonly integrity: HistoryIntegrity,
    private readonly options: CheckpointerOptions,
  ) {}

  signIfGrown(): StoredCheckpoint | undefined {
    // Signed over the recorded tree, not over the store: before the first tamper check has read
    // the whole store (minutes on a large one), the root check below is what guards the signature —
    // a tree rebuilt from a rewritten store no longer gives the last checkpoint's root.
    if (this.integrity.current().state === 'rewritten') return undefined;
    const size = this.tree.size();
    const last = this.checkpoints.latest();
    if (size === 0 || (last && size <= last.treeSize)) return undefined;
    if (last && !sameHash(this.tree.rootHash(last.treeSize), last.root)) {
      this.options.onDivergence?.();
      return undefined;
    }
    const text = checkpointText({
      origin: this.options.origin,
      size,
      root: this.tree.rootHash(size),
    });
    const checkpoint: StoredCheckpoint = {
      treeSize: size,
      root: this.tree.rootHash(size),
      text,
      note: formatSignedNote(text, [this.key.signatureLineOver(text)]),
      signedAt: (this.options.now?.() ?? new Date()).toISOString(),
    };
    this.checkpoints.save(checkpoint);
    return checkpoint;
  }
}
