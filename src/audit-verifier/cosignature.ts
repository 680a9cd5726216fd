import { sign, verify, type KeyObject } from 'node:crypto';
import { formatSignatureLine, type NoteSignature } from './signed-note';
import { keyIdOf, rawEd25519PublicKey, SIGNATURE_TYPE, type VerifierKey } from './verifier-key';

/**
 * A witness cosignature of c2sp.org/tlog-cosignature, version cosignature/v1 (Ed25519, signature
 * type 0x04): a signature over a header line, a time line and the checkpoint's note text, written
 * as a note signature line whose bytes are key ID ‖ u64 big-endian time ‖ 64-byte signature.
 */
const MAX_TIMESTAMP = 2n ** 63n - 1n;

export function cosignatureMessage(checkpointText: string, time: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${checkpointText}`, 'utf8');
}

export interface Cosigner {
  name: string;
  privateKey: KeyObject;
}

/** The cosignature line (without newline) over a checkpoint's note text at `time` (Unix seconds). */
export function cosign(checkpointText: string, cosigner: Cosigner, time: number): string {
  if (!Number.isSafeInteger(time) || time < 0) throw new RangeError('time is whole seconds');
  const rawPublicKey = rawEd25519PublicKey(cosigner.privateKey);
  const keyId = keyIdOf(cosigner.name, SIGNATURE_TYPE.cosignatureV1, rawPublicKey);
  const signature = sign(null, cosignatureMessage(checkpointText, time), cosigner.privateKey);
  const timestamped = Buffer.alloc(8 + signature.length);
  timestamped.writeBigUInt64BE(BigInt(time), 0);
  signature.copy(timestamped, 8);
  return formatSignatureLine(cosigner.name, keyId, timestamped);
}

/**
 * The time a witness's cosignature line states, when it is that witness's (name and key ID) and
 * its signature verifies over this checkpoint text; undefined otherwise.
 */
export function verifyCosignature(
  checkpointText: string,
  signature: NoteSignature,
  witness: VerifierKey,
): number | undefined {
  if (witness.type !== SIGNATURE_TYPE.cosignatureV1) return undefined;
  if (signature.keyName !== witness.name || signature.keyId !== witness.keyId) return undefined;
  if (signature.signature.length !== 8 + 64) return undefined;
  const timestamp = signature.signature.readBigUInt64BE(0);
  if (timestamp > MAX_TIMESTAMP || timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const time = Number(timestamp);
  const message = cosignatureMessage(checkpointText, time);
  return verify(null, message, witness.publicKey, signature.signature.subarray(8))
    ? time
    : undefined;
}
