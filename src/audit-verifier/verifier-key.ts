import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './encoding';
import { isValidKeyName } from './signed-note';

/** The signature types of c2sp.org/signed-note that this log uses. */
export const SIGNATURE_TYPE = {
  /** Ed25519 over the note text: the log's checkpoint signature. */
  ed25519: 0x01,
  /** Timestamped Ed25519 witness cosignature (c2sp.org/tlog-cosignature, cosignature/v1). */
  cosignatureV1: 0x04,
} as const;
export type SignatureType = (typeof SIGNATURE_TYPE)[keyof typeof SIGNATURE_TYPE];

/** A public key with the name and type that, together, say which signature lines it checks. */
export interface VerifierKey {
  name: string;
  keyId: number;
  type: SignatureType;
  /** The 32-byte Ed25519 public key. */
  rawPublicKey: Buffer;
  publicKey: KeyObject;
}

export class InvalidVerifierKeyError extends Error {}

/** key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], big-endian. */
export function keyIdOf(name: string, type: number, rawPublicKey: Uint8Array): number {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, type]))
    .update(rawPublicKey)
    .digest()
    .readUInt32BE(0);
}

export const keyIdHex = (keyId: number) => keyId.toString(16).padStart(8, '0');

export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new InvalidVerifierKeyError('an Ed25519 public key has 32 bytes');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

/** The 32 raw bytes of an Ed25519 public key (or of the public half of a private key). */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519')
    throw new InvalidVerifierKeyError(`not an Ed25519 key: ${publicKey.asymmetricKeyType}`);
  const { x } = publicKey.export({ format: 'jwk' });
  return Buffer.from(x ?? '', 'base64url');
}

/** `<name>+<key ID, 8 hex digits>+<base64(type ‖ public key)>`, as signed-note writes a verifier key. */
export function formatVerifierKey(name: string, type: SignatureType, rawPublicKey: Uint8Array) {
  const material = Buffer.concat([Buffer.from([type]), rawPublicKey]);
  return `${name}+${keyIdHex(keyIdOf(name, type, rawPublicKey))}+${encodeBase64(material)}`;
}

/**
 * Reads a verifier key and checks it against itself: the type it was expected to be, a 32-byte
 * key, and a key ID that is the hash of name, type and key (a mistyped or spliced key fails here,
 * not later as a puzzling bad signature).
 */
export function parseVerifierKey(text: string, expectedType: SignatureType): VerifierKey {
  const trimmed = text.trim();
  const first = trimmed.indexOf('+');
  const second = trimmed.indexOf('+', first + 1);
  if (first < 0 || second < 0)
    throw new InvalidVerifierKeyError('a verifier key is written <name>+<key ID>+<key>');
  const name = trimmed.slice(0, first);
  const idText = trimmed.slice(first + 1, second);
  const material = decodeBase64(trimmed.slice(second + 1));
  if (!isValidKeyName(name)) throw new InvalidVerifierKeyError(`not a key name: ${name}`);
  if (!/^[0-9a-fA-F]{8}$/.test(idText))
    throw new InvalidVerifierKeyError('the key ID is 8 hexadecimal digits');
  if (!material) throw new InvalidVerifierKeyError('the key is standard base64');
  if (material[0] !== expectedType)
    throw new InvalidVerifierKeyError(
      `signature type 0x${material[0]?.toString(16).padStart(2, '0')}, expected 0x${expectedType.toString(16).padStart(2, '0')}`,
    );
  const rawPublicKey = material.subarray(1);
  const publicKey = ed25519PublicKey(rawPublicKey);
  const keyId = parseInt(idText, 16);
  if (keyId !== keyIdOf(name, expectedType, rawPublicKey))
    throw new InvalidVerifierKeyError('the key ID does not match the name and the key');
  return { name, keyId, type: expectedType, rawPublicKey, publicKey };
}
