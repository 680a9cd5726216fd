import { verify } from 'node:crypto';
import type { NoteSignature, SignedNote } from './signed-note';
import { SIGNATURE_TYPE, type VerifierKey } from './verifier-key';

/**
 * The signed-note rule for one trusted Ed25519 key (type 0x01): only lines with its name and key
 * ID count; if there is none the note is not signed by it; if one of them fails to verify, the
 * whole note is refused. Lines of other keys are left alone (witnesses, rotated keys).
 */
export type NoteVerdict = 'verified' | 'unsigned' | 'bad-signature';

export const isSignatureOf = (signature: NoteSignature, key: VerifierKey) =>
  signature.keyName === key.name && signature.keyId === key.keyId;

export function verifyNoteSignature(note: SignedNote, key: VerifierKey): NoteVerdict {
  if (key.type !== SIGNATURE_TYPE.ed25519) return 'unsigned';
  const own = note.signatures.filter((signature) => isSignatureOf(signature, key));
  if (own.length === 0) return 'unsigned';
  const message = Buffer.from(note.text, 'utf8');
  const allVerify = own.every(
    ({ signature }) => signature.length === 64 && verify(null, message, key.publicKey, signature),
  );
  return allVerify ? 'verified' : 'bad-signature';
}
