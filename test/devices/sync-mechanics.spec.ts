import { ReplayCache } from '../../src/devices/authentication/replay-cache';
import { preferredWaitSeconds } from '../../src/devices/http/long-poll';
import { BundleChanges } from '../../src/devices/sync/bundle-changes';
import { ifNoneMatchNames } from '../../src/bundles/http/if-none-match';

describe('the replay cache', () => {
  it('accepts an id once while it could still be accepted, and forgets it after', () => {
    const cache = new ReplayCache(10, 1000);
    expect(cache.remember('a', 0)).toBe('fresh');
    expect(cache.remember('a', 999)).toBe('replayed');
    expect(cache.remember('a', 1000)).toBe('fresh');
  });

  it('stays bounded: when full of live ids it refuses new ones rather than forget one early', () => {
    const cache = new ReplayCache(3, 1000);
    for (const id of ['a', 'b', 'c']) expect(cache.remember(id, 0)).toBe('fresh');
    expect(cache.remember('d', 500)).toBe('full');
    expect(cache.remember('a', 500)).toBe('replayed');
    expect(cache.remember('d', 1000)).toBe('fresh');
    expect(cache.size).toBe(1);
  });
});

describe('long-poll waiting', () => {
  it('wakes the waiters of one battery only, on its change', async () => {
    const changes = new BundleChanges(10);
    const a = changes.waitForChange('A', 5000);
    const b = changes.waitForChange('B', 50);
    changes.notify('A');
    await expect(a).resolves.toBe(true);
    await expect(b).resolves.toBe(false);
    expect(changes.waiting).toBe(0);
  });

  it('is bounded in waiters, and lets go on abort', async () => {
    const changes = new BundleChanges(1);
    const aborted = new AbortController();
    const first = changes.waitForChange('A', 5000, aborted.signal);
    await expect(changes.waitForChange('B', 5000)).resolves.toBe(false);
    aborted.abort();
    await expect(first).resolves.toBe(false);
    expect(changes.waiting).toBe(0);
  });

  it('reads Prefer: wait=N, bounded, and ignores what it does not understand', () => {
    expect(preferredWaitSeconds('wait=10', 60)).toBe(10);
    expect(preferredWaitSeconds('respond-async, wait=600', 60)).toBe(60);
    expect(preferredWaitSeconds('wait=soon', 60)).toBe(0);
    expect(preferredWaitSeconds('handling=lenient', 60)).toBe(0);
    expect(preferredWaitSeconds(undefined, 60)).toBe(0);
  });

  it('matches If-None-Match by weak comparison, never by *', () => {
    expect(ifNoneMatchNames('"3.17", "4.18"', '"4.18"')).toBe(true);
    expect(ifNoneMatchNames('W/"4.18"', '"4.18"')).toBe(true);
    expect(ifNoneMatchNames('*', '"4.18"')).toBe(false);
    expect(ifNoneMatchNames(undefined, '"4.18"')).toBe(false);
  });
});
