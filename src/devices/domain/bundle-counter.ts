/**
 * A bundle's place in a battery's sequence: `ver` orders access states, `iat` orders re-signings
 * of the same state. Devices keep the pair of the bundle they applied as a monotonic counter.
 */
export interface BundleCounter {
  ver: number;
  iat: number;
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareBundleCounters(a: BundleCounter, b: BundleCounter): number {
  return a.ver !== b.ver ? a.ver - b.ver : a.iat - b.iat;
}
