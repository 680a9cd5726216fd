/**
 * When a bundle of a state version is issued, in epoch seconds: the moment the version came into
 * force, then again every half lifetime (a bundle is re-signed at half its lifetime so a device
 * polling on schedule never runs into expiry). It depends on nothing but the recorded state and
 * the clock, so every instance, before and after any restart, issues the same `iat` for the same
 * state at the same time, and the ETag `"<ver>.<iat>"` a device holds stays current: a restart or
 * another instance behind the load balancer never makes a fleet download its bundles again.
 */
export function bundleIssueTime(versionSince: string, now: Date, ttlSeconds: number): number {
  const since = Math.floor(new Date(versionSince).getTime() / 1000);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  // A version recorded by an instance whose clock runs ahead of ours: never issue in the future.
  if (since > nowSeconds) return nowSeconds;
  const half = Math.max(1, Math.floor(ttlSeconds / 2));
  const elapsedHalves = Math.max(0, Math.floor((nowSeconds - since) / half));
  return since + elapsedHalves * half;
}

/** The ETag of the bundle of version `version` issued at `issuedAt`. */
export const bundleEtag = (version: number, issuedAt: number) => `"${version}.${issuedAt}"`;
