/**
 * Wakes long-polling device pulls when their battery's bundle changes. The device-sync
 * projection calls `notify` while it applies an event; waiters are resolved through promises, so
 * they run only after the projection's transaction has committed and see the new state.
 * Bounded: past `maxWaiters` a pull does not wait and answers at once.
 */
export class BundleChanges {
  private readonly waiters = new Map<string, Set<() => void>>();
  private count = 0;

  constructor(private readonly maxWaiters: number) {}

  notify(serial: string): void {
    const waiting = this.waiters.get(serial);
    if (!waiting) return;
    this.waiters.delete(serial);
    this.count -= waiting.size;
    for (const wake of waiting) wake();
  }

  /** True when the battery's bundle changed within `timeoutMs`; false on timeout, abort or a full house. */
  waitForChange(serial: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (timeoutMs <= 0 || this.count >= this.maxWaiters || signal?.aborted)
      return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (changed: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (changed) return resolve(true);
        // Timed out or aborted: leave the waiting set (notify already removed it otherwise).
        const waiting = this.waiters.get(serial);
        if (waiting?.delete(wake)) {
          this.count -= 1;
          if (waiting.size === 0) this.waiters.delete(serial);
        }
        resolve(false);
      };
      const wake = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      const waiting = this.waiters.get(serial) ?? new Set<() => void>();
      waiting.add(wake);
      this.waiters.set(serial, waiting);
      this.count += 1;
    });
  }

  get waiting(): number {
    return this.count;
  }
}

/** Long-polls held open at once per instance; each costs a timer and a closure. */
export const MAX_LONG_POLL_WAITERS = 100_000;

export const BUNDLE_CHANGES = Symbol('BundleChanges');
