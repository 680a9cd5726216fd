/** When to try a failed delivery again, and when to give up. */
export interface RetrySchedule {
  /** Delay before the first retry; each later one is four times the one before. */
  baseMs: number;
  /** Attempts in all (the first included) before a delivery is failed. */
  maxAttempts: number;
}

/** Longest wait between two attempts, whatever the base: a receiver down for a day gets a try every few hours. */
export const MAX_RETRY_DELAY_MS = 6 * 3600 * 1000;

/**
 * After `attempts` failed attempts: the delay before the next one, or null when none is left.
 * base × 4^(attempts − 1): with 5 s, 5 s, 20 s, 80 s, 5 min 20 s, 21 min, 85 min, 5 h 41 min.
 */
export function nextRetryDelayMs(attempts: number, schedule: RetrySchedule): number | null {
  if (attempts >= schedule.maxAttempts) return null;
  return Math.min(schedule.baseMs * 4 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS);
}
