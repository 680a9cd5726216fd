import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { DomainError } from '../domain/domain-error';
import { assertStrongPublicKey, publicKeyWeakness } from './public-key-strength';

const Ed = ed25519.Point;
type EdPoint = InstanceType<typeof Ed>;
const ED_P = Ed.Fp.ORDER;
const ED_L = Ed.Fn.ORDER;
const P256_P = p256.Point.Fp.ORDER;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const edJwk = (bytes: Uint8Array) => ({ kty: 'OKP', crv: 'Ed25519', x: b64(bytes) });
const ecJwk = (x: bigint, y: bigint) => ({
  kty: 'EC',
  crv: 'P-256',
  x: b64(be32(x)),
  y: b64(be32(y)),
});
const be32 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
const le32 = (n: bigint) => Uint8Array.from(be32(n)).reverse();
const yOf = (encoding: Uint8Array) =>
  BigInt(`0x${Buffer.from(Uint8Array.from(encoding).reverse()).toString('hex')}`) &
  ((1n << 255n) - 1n);
/** [L]Q without a scalar ≥ L (noble refuses those): the part of Q outside the prime-order subgroup. */
const torsionPart = (q: EdPoint) => q.multiplyUnsafe(ED_L - 1n).add(q);

/** A point of order exactly 8, derived from the curve rather than remembered. */
function torsionGenerator(): EdPoint {
  for (let y = 2n; ; y++) {
    let q: EdPoint;
    try {
      q = Ed.fromBytes(le32(y));
    } catch {
      continue;
    }
    const t = torsionPart(q);
    if (!t.double().double().is0()) return t;
  }
}

const T8 = torsionGenerator();
const SMALL_ORDER: EdPoint[] = Array.from({ length: 8 }, (_, k) =>
  k === 0 ? Ed.ZERO : T8.multiplyUnsafe(BigInt(k)),
);
const realEd25519 = () =>
  new Uint8Array(
    Buffer.from(
      generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string,
      'base64url',
    ),
  );

describe('public key strength', () => {
  describe('Ed25519', () => {
    it('derives exactly eight small-order points, and refuses each of them', () => {
      const encodings = new Set(SMALL_ORDER.map((point) => b64(point.toBytes())));
      expect(encodings.size).toBe(8);
      for (const point of SMALL_ORDER) {
        expect(point.multiplyUnsafe(8n).is0()).toBe(true);
        expect(publicKeyWeakness(edJwk(point.toBytes()))).toBe('small-order');
      }
      // What a failed chip reports: x = 32 zero bytes decodes to a point of order 4.
      expect(SMALL_ORDER.map((p) => b64(p.toBytes()))).toContain(b64(new Uint8Array(32)));
      expect(publicKeyWeakness(edJwk(new Uint8Array(32)))).toBe('small-order');
    });

    it('refuses the non-canonical encodings of the small-order points (y + p, sign bit on x = 0)', () => {
      const variants: Uint8Array[] = [];
      for (const point of SMALL_ORDER) {
        const canonical = point.toBytes();
        const y = yOf(canonical);
        const sign = canonical[31] & 0x80;
        if (y + ED_P < 1n << 255n) {
          const shifted = le32(y + ED_P);
          shifted[31] |= sign;
          variants.push(shifted);
        }
        if (point.x === 0n) {
          const flipped = Uint8Array.from(canonical);
          flipped[31] ^= 0x80;
          variants.push(flipped);
        }
      }
      // y ∈ {0, 1} admit y + p; (0, ±1) admit the sign bit on x = 0.
      expect(variants.length).toBeGreaterThanOrEqual(4);
      for (const encoding of variants) {
        expect(Ed.fromBytes(encoding, true).isSmallOrder()).toBe(true); // the same points, leniently decoded
        expect(publicKeyWeakness(edJwk(encoding))).toBe('non-canonical-encoding');
      }
    });

    it('refuses any y ≥ p, whether or not y − p is on the curve', () => {
      for (let k = 0n; k < 19n; k++) {
        const weakness = publicKeyWeakness(edJwk(le32(ED_P + k)));
        expect(['non-canonical-encoding', 'not-on-curve']).toContain(weakness);
      }
      expect(publicKeyWeakness(edJwk(le32((1n << 255n) - 1n)))).toMatch(
        /non-canonical-encoding|not-on-curve/,
      );
    });

    it('refuses a y that is on no point of the curve', () => {
      let y = 2n;
      for (; ; y++) {
        try {
          Ed.fromBytes(le32(y));
        } catch {
          break;
        }
      }
      expect(publicKeyWeakness(edJwk(le32(y)))).toBe('not-on-curve');
    });

    it('refuses a mixed-order point: a real key plus a small-order point', () => {
      const real = Ed.fromBytes(realEd25519());
      for (const torsion of SMALL_ORDER.slice(1)) {
        expect(publicKeyWeakness(edJwk(real.add(torsion).toBytes()))).toBe(
          'not-in-prime-order-subgroup',
        );
      }
    });

    it('accepts fresh keys, and refuses a second base64url spelling of the same bytes', () => {
      for (let i = 0; i < 20; i++) expect(publicKeyWeakness(edJwk(realEd25519()))).toBeUndefined();
      const jwk = edJwk(realEd25519());
      // 43 characters carry 258 bits: the last character's two spare bits must be zero.
      const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(
        jwk.x[42],
      );
      const sloppy = {
        ...jwk,
        x:
          jwk.x.slice(0, 42) +
          'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[last | 1],
      };
      expect(Buffer.from(sloppy.x, 'base64url')).toEqual(Buffer.from(jwk.x, 'base64url'));
      expect(publicKeyWeakness(sloppy)).toBe('non-canonical-encoding');
    });

    it('on random bytes: refuses, or accepts only a canonical point of the prime-order subgroup; never throws', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
          const weakness = publicKeyWeakness(edJwk(bytes));
          if (weakness !== undefined) {
            expect(() => assertStrongPublicKey(edJwk(bytes), 'publicKey')).toThrow(DomainError);
            return;
          }
          const point = Ed.fromBytes(bytes, false);
          expect(b64(point.toBytes())).toBe(b64(bytes));
          expect(point.isSmallOrder()).toBe(false);
          expect(point.isTorsionFree()).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

    it('accepts [s]B for any scalar s and refuses [s]B plus any small-order point', () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 1n, max: ED_L - 1n }),
          fc.integer({ min: 1, max: 7 }),
          (s, k) => {
            const key = Ed.BASE.multiply(s);
            expect(publicKeyWeakness(edJwk(key.toBytes()))).toBeUndefined();
            expect(publicKeyWeakness(edJwk(key.add(SMALL_ORDER[k]).toBytes()))).toBe(
              'not-in-prime-order-subgroup',
            );
          },
        ),
        { numRuns: 30 },
      );
    });
  });

  describe('P-256', () => {
    const real = () => {
      const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        format: 'jwk',
      });
      return { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string };
    };
    const coordinates = (jwk: { x: string; y: string }) => ({
      x: BigInt(`0x${Buffer.from(jwk.x, 'base64url').toString('hex')}`),
      y: BigInt(`0x${Buffer.from(jwk.y, 'base64url').toString('hex')}`),
    });

    it('accepts fresh keys', () => {
      for (let i = 0; i < 20; i++) expect(publicKeyWeakness(real())).toBeUndefined();
    });

    it('refuses a point off the curve', () => {
      const { x, y } = coordinates(real());
      expect(publicKeyWeakness(ecJwk(x, (y + 1n) % P256_P))).toBe('not-on-curve');
      expect(publicKeyWeakness(ecJwk(1n, 1n))).toBe('not-on-curve');
    });

    it('refuses coordinates ≥ p, even when they reduce to a real key', () => {
      const { x, y } = coordinates(real());
      expect(publicKeyWeakness(ecJwk(P256_P, y))).toBe('coordinate-out-of-range');
      expect(publicKeyWeakness(ecJwk(x, (1n << 256n) - 1n))).toBe('coordinate-out-of-range');
      if (x + P256_P < 1n << 256n)
        expect(publicKeyWeakness(ecJwk(x + P256_P, y))).toBe('coordinate-out-of-range');
    });

    it('refuses the point at infinity as affine coordinates spell it (0, 0)', () => {
      expect(publicKeyWeakness(ecJwk(0n, 0n))).toBe('point-at-infinity');
    });

    it('refuses keys of other types', () => {
      expect(publicKeyWeakness({ kty: 'EC', crv: 'P-384', x: 'x', y: 'y' })).toBe(
        'unsupported-key-type',
      );
      expect(publicKeyWeakness({ kty: 'RSA', n: 'n', e: 'AQAB' })).toBe('unsupported-key-type');
    });
  });

  it('refuses as a 422 domain rule naming the field and the reason', () => {
    let refusal: unknown;
    try {
      assertStrongPublicKey(edJwk(new Uint8Array(32)), 'deviceKey');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({
      kind: 'rule-violated',
      code: 'weak-public-key',
      details: { field: 'deviceKey', weakness: 'small-order' },
    });
    expect((refusal as Error).message).toMatch(/^deviceKey is a small-order point/);
    expect(() => assertStrongPublicKey(edJwk(realEd25519()), 'deviceKey')).not.toThrow();
  });
});
