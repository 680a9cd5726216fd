import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { signatureWeakness } from './signature-strictness';

const ED_L = ed25519.Point.Fn.ORDER;
const P256_N = p256.Point.Fn.ORDER;
const le32 = (n: bigint) =>
  Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex')).reverse();
const be32 = (n: bigint) => new Uint8Array(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'));
const join = (a: Uint8Array, b: Uint8Array) => new Uint8Array([...a, ...b]);
const message = Buffer.from('proof');

describe('signature strictness', () => {
  describe('Ed25519', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const genuine = new Uint8Array(sign(null, message, privateKey));

    it('accepts what a signer produces', () => {
      expect(signatureWeakness('EdDSA', genuine)).toBeUndefined();
    });

    it('refuses S ≥ L (S + L verifies in lax implementations: a malleated copy)', () => {
      const s = BigInt(`0x${Buffer.from(genuine.slice(32)).reverse().toString('hex')}`);
      expect(signatureWeakness('EdDSA', join(genuine.slice(0, 32), le32(s + ED_L)))).toBe(
        'scalar-out-of-range',
      );
      expect(signatureWeakness('EdDSA', join(genuine.slice(0, 32), le32(ED_L)))).toBe(
        'scalar-out-of-range',
      );
    });

    it('refuses a small-order R, the identity first (the R = identity, S = 0 forgery)', () => {
      const identity = ed25519.Point.ZERO.toBytes();
      expect(signatureWeakness('EdDSA', join(identity, new Uint8Array(32)))).toBe('small-order-r');
      expect(signatureWeakness('EdDSA', join(new Uint8Array(32), new Uint8Array(32)))).toBe(
        'small-order-r',
      );
    });

    it('refuses each of the eight small-order points as R', () => {
      const L = ed25519.Point.Fn.ORDER;
      let t = ed25519.Point.ZERO;
      for (let y = 2n; t.double().double().is0(); y++) {
        try {
          const q = ed25519.Point.fromBytes(le32(y));
          t = q.multiplyUnsafe(L - 1n).add(q);
        } catch {
          // not the y of a point
        }
      }
      const seen = new Set<string>();
      for (let k = 0n; k < 8n; k++) {
        const r = k === 0n ? ed25519.Point.ZERO : t.multiplyUnsafe(k);
        seen.add(Buffer.from(r.toBytes()).toString('hex'));
        expect(signatureWeakness('EdDSA', join(r.toBytes(), new Uint8Array(32)))).toBe(
          'small-order-r',
        );
      }
      expect(seen.size).toBe(8);
    });

    it('accepts the R of many genuine signatures', () => {
      for (let i = 0; i < 200; i++)
        expect(
          signatureWeakness('EdDSA', new Uint8Array(sign(null, Buffer.from(`m${i}`), privateKey))),
        ).toBeUndefined();
    });

    it('refuses an R that is not a canonical point encoding', () => {
      const identityWithSignBit = ed25519.Point.ZERO.toBytes();
      identityWithSignBit[31] |= 0x80;
      expect(signatureWeakness('EdDSA', join(identityWithSignBit, new Uint8Array(32)))).toBe(
        'non-canonical-r',
      );
      const yIsP = le32(ed25519.Point.Fp.ORDER);
      expect(signatureWeakness('EdDSA', join(yIsP, new Uint8Array(32)))).toBe('non-canonical-r');
    });

    it('refuses a signature of the wrong length', () => {
      expect(signatureWeakness('EdDSA', genuine.slice(0, 63))).toBe('wrong-length');
    });
  });

  describe('ES256', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const genuine = new Uint8Array(
      sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
    );
    const r = genuine.slice(0, 32);
    const s = BigInt(`0x${Buffer.from(genuine.slice(32)).toString('hex')}`);

    it('accepts what a signer produces, and its high-S twin', () => {
      expect(signatureWeakness('ES256', genuine)).toBeUndefined();
      const twin = join(r, be32(P256_N - s));
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, twin)).toBe(
        true,
      );
      expect(signatureWeakness('ES256', twin)).toBeUndefined();
    });

    it('refuses r or s outside [1, n − 1]', () => {
      expect(signatureWeakness('ES256', join(be32(0n), be32(s)))).toBe('scalar-out-of-range');
      expect(signatureWeakness('ES256', join(r, be32(0n)))).toBe('scalar-out-of-range');
      expect(signatureWeakness('ES256', join(be32(P256_N), be32(s)))).toBe('scalar-out-of-range');
      expect(
        signatureWeakness('ES256', join(r, be32(s + P256_N < 1n << 256n ? s + P256_N : P256_N))),
      ).toBe('scalar-out-of-range');
    });
  });
});
