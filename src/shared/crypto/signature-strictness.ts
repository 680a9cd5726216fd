import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { bigEndian, littleEndian } from './bytes';

/**
 * Whether a raw JWS signature is in the one canonical form its algorithm allows, before any
 * verification: a signature with S ≥ L or a small-order R is what forgeries and malleated copies
 * look like, never what a signer produces. P-256 high-S is accepted (ES256 does not forbid it),
 * but r and s must lie in [1, n − 1].
 */
export type SignatureWeakness =
  'wrong-length' | 'scalar-out-of-range' | 'non-canonical-r' | 'small-order-r';

const SIGNATURE_BYTES = 64;
const HALF = SIGNATURE_BYTES / 2;
const SIGN_BIT = 0x80;
const Y_MASK = (1n << 255n) - 1n;

type EdPoint = InstanceType<typeof ed25519.Point>;

/**
 * The canonical encodings of the eight points of order dividing 8, derived once: [L]Q is the
 * small-order part of any point Q, and one of order 8 generates them all.
 */
const SMALL_ORDER_ENCODINGS: ReadonlySet<string> = (() => {
  const L = ed25519.Point.Fn.ORDER;
  for (let y = 2n; ; y++) {
    let q: EdPoint;
    try {
      q = ed25519.Point.fromBytes(
        Uint8Array.from(Buffer.from(y.toString(16).padStart(64, '0'), 'hex')).reverse(),
      );
    } catch {
      continue;
    }
    const t = q.multiplyUnsafe(L - 1n).add(q);
    if (t.double().double().is0()) continue;
    const points: EdPoint[] = [];
    for (let k = 0, point = ed25519.Point.ZERO; k < 8; k++, point = point.add(t))
      points.push(point);
    return new Set(points.map((point) => Buffer.from(point.toBytes()).toString('hex')));
  }
})();

/** What is wrong with the signature's form, or undefined when it is canonical. Never throws. */
export function signatureWeakness(
  algorithm: 'EdDSA' | 'ES256',
  signature: Uint8Array,
): SignatureWeakness | undefined {
  if (signature.length !== SIGNATURE_BYTES) return 'wrong-length';
  return algorithm === 'EdDSA'
    ? ed25519SignatureWeakness(signature)
    : es256SignatureWeakness(signature);
}

function ed25519SignatureWeakness(signature: Uint8Array): SignatureWeakness | undefined {
  const encodedR = signature.subarray(0, HALF);
  const s = littleEndian(signature.subarray(HALF));
  if (s >= ed25519.Point.Fn.ORDER) return 'scalar-out-of-range';
  // Checked on the bytes, not by decoding R (a square root per proof): an R off the curve fails
  // the verification itself.
  const p = ed25519.Point.Fp.ORDER;
  const y = littleEndian(encodedR) & Y_MASK;
  if (y >= p) return 'non-canonical-r';
  // x = 0 only for y = ±1, and zero has no sign.
  if ((encodedR[HALF - 1] & SIGN_BIT) !== 0 && (y === 1n || y === p - 1n)) return 'non-canonical-r';
  if (SMALL_ORDER_ENCODINGS.has(Buffer.from(encodedR).toString('hex'))) return 'small-order-r';
  return undefined;
}

function es256SignatureWeakness(signature: Uint8Array): SignatureWeakness | undefined {
  const n = p256.Point.Fn.ORDER;
  const r = bigEndian(signature.subarray(0, HALF));
  const s = bigEndian(signature.subarray(HALF));
  if (r < 1n || r >= n || s < 1n || s >= n) return 'scalar-out-of-range';
  return undefined;
}
