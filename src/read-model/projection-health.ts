/**
 * Whether the read model keeps up, as /health tells it. A runner that stopped or failed is down; so
 * is one that still "runs" but has not applied anything for a while although the store holds an
 * event it has not applied (a stuck subscription, a locked read model, another process's runner
 * moving the checkpoint under it). Reads waiting on X-Min-Position would time out against it.
 */

/** How long the read model may sit behind the store without advancing before /health answers 503. */
export const PROJECTION_STALL_AFTER_MS = 30_000;

export interface ProjectionHealthOptions {
  stallAfterMs: number;
  now: () => Date;
}

export const PROJECTION_HEALTH_OPTIONS = Symbol('ProjectionHealthOptions');
export const DEFAULT_PROJECTION_HEALTH_OPTIONS: ProjectionHealthOptions = {
  stallAfterMs: PROJECTION_STALL_AFTER_MS,
  now: () => new Date(),
};

export interface ProjectionFacts {
  running: boolean;
  /** When the last failure happened, if the runner ever failed. */
  lastErrorAt?: string;
  /** When the position last moved (or the runner started). */
  advancedAt: Date;
  /** When the oldest event the read model has not applied was recorded; undefined when none waits. */
  oldestPendingAt: Date | undefined;
}

/** Healthy, or a one-line problem safe to show anyone: times and states, never an error's text. */
export type ProjectionVerdict = { healthy: true } | { healthy: false; problem: string };

export function judgeProjection(
  facts: ProjectionFacts,
  options: ProjectionHealthOptions,
): ProjectionVerdict {
  if (!facts.running) {
    return {
      healthy: false,
      problem: facts.lastErrorAt
        ? `projection stopped by a failure at ${facts.lastErrorAt}; resubscribing`
        : 'projection not running',
    };
  }
  if (facts.oldestPendingAt === undefined) return { healthy: true };
  // Behind since the later of: the last step forward, and the arrival of what it should apply next.
  const since = Math.max(facts.advancedAt.getTime(), facts.oldestPendingAt.getTime());
  if (options.now().getTime() - since <= options.stallAfterMs) return { healthy: true };
  return {
    healthy: false,
    problem: `projection stalled since ${new Date(since).toISOString()}: the store holds events it has not applied`,
  };
}
