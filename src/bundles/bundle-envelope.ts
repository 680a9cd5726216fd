import type { BundleTrust } from '../signing/trust/bundle-trust';

/**
 * What a device pulls: its bundle (a compact JWS, or that JWS encrypted to the device as a
 * compact JWE) with the chain that makes it verifiable from the root pinned at manufacture.
 */
export interface BundleEnvelope {
  /** Format of this envelope; a device refuses envelopes it does not know. */
  fmt: 1;
  bundle: string;
  /** The root's delegation naming the online keys that may sign bundles. */
  delegation: string;
  /** Root rotation statements, oldest first; empty while the first root is in use. */
  rootChain: readonly string[];
}

export const ENVELOPE_FORMAT = 1;

export function bundleEnvelope(bundle: string, trust: BundleTrust): BundleEnvelope {
  return { fmt: ENVELOPE_FORMAT, bundle, delegation: trust.delegation, rootChain: trust.rootChain };
}
