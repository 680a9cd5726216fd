/** Whom a refused request was counted on: its client address, a verified person, or a battery. */
export type RateLimitScope = 'address' | 'person' | 'device';

/** Whoever counts rate-limit refusals (the metrics adapter). */
export interface RateLimitObserver {
  refused(scope: RateLimitScope): void;
}

export const RATE_LIMIT_OBSERVER = Symbol('RateLimitObserver');
