import { decodeBase64 } from './encoding';

/**
 * A C2SP signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, then one or
 * more signature lines `— <key name> <base64(4-byte key ID ‖ signature)>`. Parsing checks only
 * the form; whose signature counts is the caller's decision (unknown keys are to be ignored).
 */
export interface NoteSignature {
  keyName: string;
  /** The key ID as a big-endian uint32. */
  keyId: number;
  /** The signature bytes after the key ID. */
  signature: Buffer;
  /** The line as written, without its newline. */
  line: string;
}

export interface SignedNote {
  /** The signed text: every line up to the last blank line, each with its newline. */
  text: string;
  signatures: NoteSignature[];
}

/** The spec asks verifiers to accept at least 16 signatures and to bound them; a log with a few
 * witnesses stays far below this. */
export const MAX_NOTE_SIGNATURES = 100;
const SIGNATURE_LINE_PREFIX = '\u2014 ';

export class MalformedNoteError extends Error {}

/** A key name: non-empty, no Unicode space, no plus sign. */
export const isValidKeyName = (name: string): boolean => name.length > 0 && !/[\s+]/u.test(name);

export function parseSignatureLine(line: string): NoteSignature | undefined {
  if (!line.startsWith(SIGNATURE_LINE_PREFIX)) return undefined;
  const rest = line.slice(SIGNATURE_LINE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return undefined;
  const keyName = rest.slice(0, space);
  const encoded = rest.slice(space + 1);
  if (!isValidKeyName(keyName)) return undefined;
  const bytes = decodeBase64(encoded);
  if (!bytes || bytes.length < 5) return undefined;
  return { keyName, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4), line };
}

export function parseSignedNote(note: string): SignedNote {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note))
    throw new MalformedNoteError('a signed note holds no control character but newline');
  // A lone surrogate has no UTF-8 form: the round trip replaces it, so the text would differ.
  if (Buffer.from(note, 'utf8').toString('utf8') !== note)
    throw new MalformedNoteError('a signed note is valid UTF-8');
  if (!note.endsWith('\n')) throw new MalformedNoteError('a signed note ends with a newline');
  const separator = note.lastIndexOf('\n\n');
  if (separator < 0)
    throw new MalformedNoteError('a signed note separates its signatures with a blank line');
  const text = note.slice(0, separator + 1);
  const lines = note.slice(separator + 2, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES)
    throw new MalformedNoteError(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures = lines.map((line) => {
    const signature = parseSignatureLine(line);
    if (!signature) throw new MalformedNoteError(`not a signature line: ${JSON.stringify(line)}`);
    return signature;
  });
  if (text.length === 0) throw new MalformedNoteError('a signed note has a text');
  return { text, signatures };
}

export const formatSignatureLine = (keyName: string, keyId: number, signature: Uint8Array) => {
  const bytes = Buffer.alloc(4 + signature.length);
  bytes.writeUInt32BE(keyId >>> 0, 0);
  Buffer.from(signature).copy(bytes, 4);
  return `${SIGNATURE_LINE_PREFIX}${keyName} ${bytes.toString('base64')}`;
};
