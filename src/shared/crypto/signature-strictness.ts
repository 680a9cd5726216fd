import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { bigEndian, littleEndian, sameBytes } from './bytes';

/**
 * Whether a raw JWS signature is in the one canonical form its algorithm allows, before any
 * verification: a signature with S ≥ L or a small-order R is what forgeries and malleated copies
 * look like, never what a signer produces. P-256 high-S is accepted (ES256 does not forbid it),
 * but r and s must lie in [1, n − 1].
 */
export type SignatureWeakness = 'wrong-length' | 'scalar-out-of-range' | 'non-canonical-r' | 'small-order-r';

const SIGNATURE_BYTES = 64;
const HALF = SIGNATURE_BYTES / 2;

/** What is wrong with the signature's form, or undefined when it is canonical. Never throws. */
export function signatureWeakness(algorithm: 'EdDSA' | 'ES256', signature: Uint8Array): SignatureWeakness | undefined {
  if (signature.length !== SIGNATURE_BYTES) return 'wrong-length';
  return algorithm === 'EdDSA' ? ed25519SignatureWeakness(signature) : es256SignatureWeakness(signature);
}

function ed25519SignatureWeakness(signature: Uint8Array): SignatureWeakness | undefined {
  const encodedR = signature.subarray(0, HALF);
  const s = littleEndian(signature.subarray(HALF));
  if (s >= ed25519.Point.Fn.ORDER) return 'scalar-out-of-range';
  let r: InstanceType<typeof ed25519.Point>;
  try {
    r = ed25519.Point.fromBytes(encodedR, false);
  } catch {
    return 'non-canonical-r';
  }
  if (!sameBytes(r.toBytes(), encodedR)) return 'non-canonical-r';
  if (r.isSmallOrder()) return 'small-order-r';
  return undefined;
}

function es256SignatureWeakness(signature: Uint8Array): SignatureWeakness | undefined {
  const n = p256.Point.Fn.ORDER;
  const r = bigEndian(signature.subarray(0, HALF));
  const s = bigEndian(signature.subarray(HALF));
  if (r < 1n || r >= n || s < 1n || s >= n) return 'scalar-out-of-range';
  return undefined;
}
