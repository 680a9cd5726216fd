import { MAX_RETRY_DELAY_MS, nextRetryDelayMs } from './retry-schedule';

describe('retry schedule', () => {
  const schedule = { baseMs: 5_000, maxAttempts: 8 };

  it('waits base × 4^(n − 1) after the n-th failed attempt', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => nextRetryDelayMs(n, schedule))).toEqual([
      5_000, 20_000, 80_000, 320_000, 1_280_000, 5_120_000, 20_480_000,
    ]);
  });

  it('gives up after the last attempt', () => {
    expect(nextRetryDelayMs(8, schedule)).toBeNull();
    expect(nextRetryDelayMs(1, { baseMs: 5_000, maxAttempts: 1 })).toBeNull();
  });

  it('never waits longer than the ceiling, whatever the base', () => {
    expect(nextRetryDelayMs(7, { baseMs: 3_600_000, maxAttempts: 20 })).toBe(MAX_RETRY_DELAY_MS);
  });
});
