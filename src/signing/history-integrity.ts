import { ProblemError } from '../http/problem-details';

/** How the stored history was found to differ from what the audit log recorded and signed. */
export type HistoryRewriteKind =
  'edited' | 'missing' | 'truncated' | 'reordered' | 'inserted' | 'root-mismatch';

export interface HistoryRewrite {
  kind: HistoryRewriteKind;
  /** The first leaf (0-based, in the store's global order) that differs. */
  leafIndex: number;
  /** The store position of that leaf's event, when known. */
  position?: string;
  /** A fixed sentence of ours, safe to show anyone. */
  detail: string;
  detectedAt: string;
}

export type HistoryIntegrityState =
  | { state: 'unverified' }
  | { state: 'intact'; checkedAt: string; treeSize: number }
  | { state: 'rewritten'; rewrite: HistoryRewrite };

/** A signature refused because the history under it was rewritten: 503, with a code that says so. */
export class HistoryRewrittenError extends ProblemError {
  constructor(what: string, rewrite: HistoryRewrite) {
    super(
      503,
      'history-rewritten',
      `No ${what} is signed: the stored history was rewritten (${rewrite.kind} at leaf ${rewrite.leafIndex}) and the service signs nothing over it until an operator restores the store or starts a new log.`,
      { 'retry-after': '300' },
    );
  }
}

/**
 * The one switch between "the history the service signs over is the one it recorded" and "it was
 * rewritten underneath". The audit log's tamper check sets it; the bundle signer and the
 * checkpointer consult it before every signature. A rewrite stays reported until the process
 * restarts: nothing the service later reads can make a rewritten history trustworthy again.
 */
export class HistoryIntegrity {
  private status: HistoryIntegrityState = { state: 'unverified' };

  current(): HistoryIntegrityState {
    return this.status;
  }

  markIntact(treeSize: number, now = new Date()): void {
    if (this.status.state === 'rewritten') return;
    this.status = { state: 'intact', checkedAt: now.toISOString(), treeSize };
  }

  markRewritten(rewrite: HistoryRewrite): void {
    if (this.status.state === 'rewritten') return;
    this.status = { state: 'rewritten', rewrite };
  }

  /** Throws HistoryRewrittenError when the history was rewritten; what = "bundle", "checkpoint". */
  assertMaySign(what: string): void {
    if (this.status.state === 'rewritten')
      throw new HistoryRewrittenError(what, this.status.rewrite);
  }
}

export const HISTORY_INTEGRITY = Symbol('HistoryIntegrity');
