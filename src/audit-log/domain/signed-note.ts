import { verifyEd25519, ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES } from './ed25519';
import { fromBase64, sha256, toBase64 } from './hashing';

/**
 * C2SP signed-note (https://c2sp.org/signed-note): a text ending in a newline, a blank line, then
 * one line per signature, `— <key name> <base64(4-byte key ID ‖ signature)>`.
 */
export const SIGNATURE_LINE_PREFIX = '\u2014 ';

/** Signature types of the key ID hash: 0x01 Ed25519 note signatures, 0x04 cosignature/v1. */
export const ED25519_SIGNATURE_TYPE = 0x01;
export const COSIGNATURE_V1_TYPE = 0x04;

export interface VerifierKey {
  name: string;
  type: number;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

export interface SignatureLine {
  name: string;
  /** The decoded base64: key ID and the signature type's own bytes. */
  blob: Uint8Array;
  /** The whole line as written, without its newline. */
  line: string;
}

export interface SignedNote {
  /** The signed text, ending in a newline. */
  text: string;
  signatures: SignatureLine[];
}

const encoder = new TextEncoder();

/** Key names are non-empty and hold no whitespace and no '+' (the verifier key's separator). */
export function isKeyName(name: string): boolean {
  return /^[^\s+]+$/u.test(name);
}

/** The first 4 bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key). */
export function keyIdOf(name: string, type: number, publicKey: Uint8Array): Uint8Array {
  return sha256(encoder.encode(name), Uint8Array.of(0x0a, type), publicKey).subarray(0, 4);
}

export const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** `<name>+<key ID hex>+<base64(type ‖ public key)>`. */
export function formatVerifierKey(
  name: string,
  publicKey: Uint8Array,
  type = ED25519_SIGNATURE_TYPE,
): string {
  const typed = new Uint8Array(1 + publicKey.length);
  typed[0] = type;
  typed.set(publicKey, 1);
  return `${name}+${hexOf(keyIdOf(name, type, publicKey))}+${toBase64(typed)}`;
}

/** Parses a verifier key of the given signature type; the reason when it is not one. */
export function parseVerifierKey(
  text: string,
  type: number,
): { key: VerifierKey } | { error: string } {
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first <= 0 || second < 0) return { error: 'expected <name>+<key ID>+<base64 key>' };
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  if (!isKeyName(name)) return { error: 'the key name holds whitespace or +' };
  if (!/^[0-9a-f]{8}$/.test(idHex)) return { error: 'the key ID is not 8 lower-case hex digits' };
  const typed = fromBase64(text.slice(second + 1));
  if (!typed || typed.length !== 1 + ED25519_PUBLIC_KEY_BYTES)
    return { error: 'the key is not base64 of a type byte and 32 key bytes' };
  if (typed[0] !== type)
    return { error: `the key's type is 0x${typed[0].toString(16)}, not 0x0${type.toString(16)}` };
  const publicKey = typed.subarray(1);
  const keyId = keyIdOf(name, type, publicKey);
  if (hexOf(keyId) !== idHex) return { error: 'the key ID does not match the name and key' };
  return { key: { name, type, keyId, publicKey } };
}

/** Splits a signed note into its text and signature lines; undefined when it is not one. */
export function parseSignedNote(note: string): SignedNote | undefined {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return undefined;
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures: SignatureLine[] = [];
  for (const line of lines) {
    const signature = parseSignatureLine(line);
    if (!signature) return undefined;
    signatures.push(signature);
  }
  return signatures.length > 0 ? { text, signatures } : undefined;
}

/** `— <name> <base64>`; undefined when the line is not a signature line. */
export function parseSignatureLine(line: string): SignatureLine | undefined {
  if (!line.startsWith(SIGNATURE_LINE_PREFIX)) return undefined;
  const rest = line.slice(SIGNATURE_LINE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space <= 0) return undefined;
  const name = rest.slice(0, space);
  const blob = fromBase64(rest.slice(space + 1));
  if (!isKeyName(name) || !blob || blob.length < 5) return undefined;
  return { name, blob, line };
}

export function signatureLine(name: string, keyId: Uint8Array, signature: Uint8Array): string {
  const blob = new Uint8Array(keyId.length + signature.length);
  blob.set(keyId);
  blob.set(signature, keyId.length);
  return `${SIGNATURE_LINE_PREFIX}${name} ${toBase64(blob)}`;
}

/** The note: text, a blank line, the signature lines. */
export function formatSignedNote(text: string, lines: readonly string[]): string {
  return `${text}\n${lines.map((line) => `${line}\n`).join('')}`;
}

/** Whether `signature` is `key`'s Ed25519 note signature over `text`. */
export function verifyNoteSignature(
  text: string,
  signature: SignatureLine,
  key: VerifierKey,
): boolean {
  if (key.type !== ED25519_SIGNATURE_TYPE || signature.name !== key.name) return false;
  if (signature.blob.length !== 4 + ED25519_SIGNATURE_BYTES) return false;
  if (hexOf(signature.blob.subarray(0, 4)) !== hexOf(key.keyId)) return false;
  return verifyEd25519(key.publicKey, encoder.encode(text), signature.blob.subarray(4));
}
