/**
 * Proof ids seen recently, so a captured proof is accepted once. Every entry lives exactly as
 * long as a proof can be accepted, counted from when it was remembered, so insertion order is
 * expiry order and forgetting is a walk from the oldest end. Bounded: when full of live entries
 * it refuses to remember more (the caller answers 503) instead of forgetting one early, which
 * would let that proof be replayed.
 */
export class ReplayCache {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    /** How long (ms) a remembered id must be kept: the proof's acceptance window plus clock skew. */
    private readonly retentionMs: number,
  ) {}

  /** 'fresh' the first time an id is seen within its retention, 'replayed' after; 'full' if it cannot be remembered. */
  remember(id: string, nowMs: number): 'fresh' | 'replayed' | 'full' {
    this.forgetExpired(nowMs);
    if (this.expiries.has(id)) return 'replayed';
    if (this.expiries.size >= this.maxEntries) return 'full';
    this.expiries.set(id, nowMs + this.retentionMs);
    return 'fresh';
  }

  get size(): number {
    return this.expiries.size;
  }

  private forgetExpired(nowMs: number): void {
    for (const [id, expiresAt] of this.expiries) {
      if (expiresAt > nowMs) return;
      this.expiries.delete(id);
    }
  }
}
