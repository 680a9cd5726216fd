import type { AppConfig } from '../config/app-config';

/**
 * How far behind the store the read model may be and still take traffic. Behind by more events,
 * or with an unapplied event older than this, the instance answers /health/ready with 503: a cold
 * instance replaying a large store is not ready until it has (nearly) caught up, and reads with
 * X-Min-Position would wait on it until they time out.
 */
export interface ReadinessOptions {
  /** Most events the read model may have yet to apply (READINESS_MAX_LAG_EVENTS). */
  maxLagEvents: number;
  /** Oldest an unapplied event may be, in seconds (READINESS_MAX_LAG_SECONDS). */
  maxLagSeconds: number;
  /** How long a readiness probe waits on the store before calling it unreachable. */
  storeTimeoutMs: number;
}

export const READINESS_OPTIONS = Symbol('ReadinessOptions');

/** Below a probe's usual 5 s timeout, so an unreachable store answers 503, not a probe timeout. */
export const STORE_CHECK_TIMEOUT_MS = 2000;

export const DEFAULT_READINESS_OPTIONS: ReadinessOptions = {
  maxLagEvents: 1000,
  maxLagSeconds: 10,
  storeTimeoutMs: STORE_CHECK_TIMEOUT_MS,
};

export const readinessOptionsFrom = (config: AppConfig): ReadinessOptions => ({
  maxLagEvents: config.READINESS_MAX_LAG_EVENTS,
  maxLagSeconds: config.READINESS_MAX_LAG_SECONDS,
  storeTimeoutMs: STORE_CHECK_TIMEOUT_MS,
});

/** What the read model has yet to apply: `events` counted up to maxLagEvents + 1. */
export interface Backlog {
  events: number;
  /** When the oldest of them was recorded; undefined when none waits. */
  oldestAt: Date | undefined;
}

/** The fixed, public reasons a readiness check gives; never an error's text. */
export const REASONS = {
  storeUnreachable: 'store unreachable',
  catchingUp: 'catching up',
  backlogUnknown: 'backlog unknown',
  projectionStopped: 'projection stopped',
  projectionStalled: 'projection stalled',
  keyNotDelegated: 'signing key not delegated now',
} as const;

export type CatchUpVerdict =
  | { caughtUp: true; behindEvents: number; behindSeconds: number }
  | { caughtUp: false; behindEvents: number | string; behindSeconds: number };

/** Within both bounds, or not; how far behind, for the probe's body. */
export function judgeCatchUp(
  backlog: Backlog,
  options: ReadinessOptions,
  now: Date,
): CatchUpVerdict {
  if (backlog.events === 0 || backlog.oldestAt === undefined)
    return { caughtUp: true, behindEvents: 0, behindSeconds: 0 };
  const behindSeconds = Math.max(
    0,
    Math.floor((now.getTime() - backlog.oldestAt.getTime()) / 1000),
  );
  const tooMany = backlog.events > options.maxLagEvents;
  const tooOld = behindSeconds > options.maxLagSeconds;
  if (!tooMany && !tooOld) return { caughtUp: true, behindEvents: backlog.events, behindSeconds };
  return {
    caughtUp: false,
    behindEvents: tooMany ? `more than ${options.maxLagEvents}` : backlog.events,
    behindSeconds,
  };
}

/** The promise's value, or a rejection once `ms` have passed. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
