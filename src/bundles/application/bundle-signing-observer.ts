/** Whoever measures bundle signing (the metrics adapter); the bundle service knows no metrics library. */
export interface BundleSigningObserver {
  /** A bundle was signed, taking `seconds` in the signer (a key file, or an HSM round trip). */
  bundleSigned(seconds: number): void;
}

export const BUNDLE_SIGNING_OBSERVER = Symbol('BundleSigningObserver');
