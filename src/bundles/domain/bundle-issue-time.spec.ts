import { bundleEtag, bundleIssueTime } from './bundle-issue-time';

const since = '2026-06-01T00:00:00.000Z';
const sinceSeconds = Date.parse(since) / 1000;
const at = (secondsAfter: number) => new Date((sinceSeconds + secondsAfter) * 1000);

describe('when a bundle is issued', () => {
  it('is the moment its version came into force, until half its lifetime has passed', () => {
    expect(bundleIssueTime(since, at(0), 3600)).toBe(sinceSeconds);
    expect(bundleIssueTime(since, at(1799), 3600)).toBe(sinceSeconds);
  });

  it('moves on by half a lifetime at a time, the same for every instance that asks', () => {
    expect(bundleIssueTime(since, at(1800), 3600)).toBe(sinceSeconds + 1800);
    expect(bundleIssueTime(since, at(5000), 3600)).toBe(sinceSeconds + 3600);
  });

  it('is never in the future, even for a version recorded by a clock ahead of ours', () => {
    expect(bundleIssueTime(since, at(-30), 3600)).toBe(sinceSeconds - 30);
  });

  it('names the bundle by version and issue time', () => {
    expect(bundleEtag(7, sinceSeconds)).toBe(`"7.${sinceSeconds}"`);
  });
});
