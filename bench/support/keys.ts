import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { PublicKey } from '../../src/shared/domain/public-key';

/**
 * The bench fleet's serials and key pairs, with nothing else imported, so the baseline servers
 * (bench/support/bare-fastify.ts) derive the same device keys as the loader and the load generator.
 */

export const serialOf = (index: number) => `BK${String(index).padStart(8, '0')}`;

/** The fleet index of a serial made by serialOf; undefined for any other serial. */
export function indexOfSerial(serial: string): number | undefined {
  const match = /^BK(\d{8})$/.exec(serial);
  return match ? Number(match[1]) : undefined;
}

/** RFC 7638 thumbprint of an OKP/EC public JWK. */
export function thumbprintOf(jwk: Record<string, string>): string {
  const canonical =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

export interface KeyPair {
  publicKey: PublicKey;
  privateKey: KeyObject;
}

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Real Ed25519 key pairs derived from a label and an index (seed = SHA-256 of both), so the
 * loader (a child process) and the bench (which signs device proofs) get the same keys without
 * passing private keys around.
 */
export function keyPairAt(label: string, index: number): KeyPair {
  const seed = createHash('sha256').update(`${label}/${index}`).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>;
  const essential = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  return { publicKey: { jwk: essential, thumbprint: thumbprintOf(essential) }, privateKey };
}

export function keyPool(label: string, size: number): KeyPair[] {
  return Array.from({ length: size }, (_, index) => keyPairAt(label, index));
}

/** Device identity keys of the bench fleet: battery i uses DEVICE_KEYS[i % DEVICE_KEY_POOL]. */
export const DEVICE_KEY_LABEL = 'bench-device';
export const DEVICE_KEY_POOL = 1024;
export const HOLDER_KEY_LABEL = 'bench-holder';
