import { decodeBase64, encodeBase64, parseDecimal } from './encoding';
import { HASH_SIZE } from './merkle';
import { isSignatureOf, verifyNoteSignature } from './note-verifier';
import { MalformedNoteError, parseSignedNote, type NoteSignature } from './signed-note';
import { keyIdHex, type VerifierKey } from './verifier-key';

/**
 * A C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text is the origin, the tree size
 * in decimal and the root hash in base64, each on its own line, then optional extension lines.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** The signed note text (the body lines, each with its newline): what signatures cover. */
  text: string;
}

export interface VerifiedCheckpoint extends Checkpoint {
  /** The whole note as received, signatures included. */
  note: string;
  /** Signature lines from other keys (witness cosignatures, among others): not checked here. */
  otherSignatures: NoteSignature[];
}

export type CheckpointProblem = 'malformed' | 'unsigned' | 'bad-signature' | 'wrong-origin';

export class CheckpointError extends Error {
  constructor(
    readonly problem: CheckpointProblem,
    message: string,
  ) {
    super(message);
  }
}

export function parseCheckpointText(text: string): Checkpoint {
  const lines = text.split('\n');
  // The text ends in a newline, so the split leaves one empty string after the last line.
  if (lines.length < 4 || lines.pop() !== '')
    throw new CheckpointError('malformed', 'a checkpoint has an origin, a size and a root hash');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin.length === 0) throw new CheckpointError('malformed', 'the origin line is empty');
  const size = parseDecimal(sizeText);
  if (size === undefined)
    throw new CheckpointError('malformed', `not a tree size: ${JSON.stringify(sizeText)}`);
  const rootHash = decodeBase64(rootText, HASH_SIZE);
  if (!rootHash)
    throw new CheckpointError('malformed', `not a base64 SHA-256 root hash: ${rootText}`);
  if (extensions.some((line) => line.length === 0))
    throw new CheckpointError('malformed', 'extension lines are not empty');
  return { origin, size, rootHash, text };
}

export const formatCheckpointText = (origin: string, size: number, rootHash: Uint8Array) =>
  `${origin}\n${size}\n${encodeBase64(rootHash)}\n`;

/**
 * Opens a signed checkpoint with the log's key: the note's form, the checkpoint's form, an origin
 * that is the key's name (docs/audit-log.md §3), and at least one signature line of that key
 * (name and key ID), every one of which verifies. Signature lines of other keys are ignored, as
 * the signed-note spec requires, and handed back for whoever knows those keys.
 */
export function openCheckpoint(note: string, logKey: VerifierKey): VerifiedCheckpoint {
  let parsed;
  try {
    parsed = parseSignedNote(note);
  } catch (error) {
    if (error instanceof MalformedNoteError) throw new CheckpointError('malformed', error.message);
    throw error;
  }
  const checkpoint = parseCheckpointText(parsed.text);
  const verdict = verifyNoteSignature(parsed, logKey);
  if (verdict === 'unsigned')
    throw new CheckpointError(
      'unsigned',
      `no signature by the log key ${logKey.name} (key ID ${keyIdHex(logKey.keyId)})`,
    );
  if (verdict === 'bad-signature')
    throw new CheckpointError('bad-signature', "the log key's signature does not verify");
  if (checkpoint.origin !== logKey.name)
    throw new CheckpointError(
      'wrong-origin',
      `the origin ${checkpoint.origin} is not the log key's name ${logKey.name}`,
    );
  return {
    ...checkpoint,
    note,
    otherSignatures: parsed.signatures.filter((signature) => !isSignatureOf(signature, logKey)),
  };
}

/** A checkpoint in one line for messages: origin, size and root. */
export const describeCheckpoint = (checkpoint: Checkpoint) =>
  `${checkpoint.origin} size ${checkpoint.size} root ${encodeBase64(checkpoint.rootHash)}`;
