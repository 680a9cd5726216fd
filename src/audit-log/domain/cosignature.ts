import { ED25519_SIGNATURE_BYTES, verifyEd25519 } from './ed25519';
import { COSIGNATURE_V1_TYPE, hexOf, parseSignatureLine, type VerifierKey } from './signed-note';

const encoder = new TextEncoder();
const TIMESTAMP_BYTES = 8;
const COSIGNATURE_BLOB_BYTES = 4 + TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES;

/** What a witness signs (C2SP tlog-cosignature, cosignature/v1). */
export function cosignedMessage(timestamp: bigint, checkpointText: string): string {
  return `cosignature/v1\ntime ${timestamp}\n${checkpointText}`;
}

export interface Cosignature {
  witness: string;
  /** Unix seconds the witness signed at. */
  timestamp: bigint;
  /** The signature line as received. */
  line: string;
}

export type CosignatureCheck =
  | { ok: true; cosignature: Cosignature }
  | { ok: false; reason: 'malformed' | 'unknown-witness' | 'bad-signature'; detail: string };

/**
 * Checks a cosignature line over `checkpointText` against the trusted witnesses: the name and key
 * ID must be one of theirs, and the Ed25519 signature over the cosigned message must verify.
 */
export function verifyCosignature(
  line: string,
  checkpointText: string,
  trusted: readonly VerifierKey[],
): CosignatureCheck {
  const parsed = parseSignatureLine(line.replace(/\n$/, ''));
  if (!parsed || parsed.blob.length !== COSIGNATURE_BLOB_BYTES) {
    return {
      ok: false,
      reason: 'malformed',
      detail: `expected "— <witness name> <base64 of ${COSIGNATURE_BLOB_BYTES} bytes>"`,
    };
  }
  const keyId = hexOf(parsed.blob.subarray(0, 4));
  const witness = trusted.find(
    (key) =>
      key.type === COSIGNATURE_V1_TYPE && key.name === parsed.name && hexOf(key.keyId) === keyId,
  );
  if (!witness) {
    return {
      ok: false,
      reason: 'unknown-witness',
      detail: `${parsed.name} (key ID ${keyId}) is not a witness this log trusts`,
    };
  }
  const timestamp = Buffer.from(parsed.blob.subarray(4, 4 + TIMESTAMP_BYTES)).readBigUInt64BE();
  const signature = parsed.blob.subarray(4 + TIMESTAMP_BYTES);
  const message = encoder.encode(cosignedMessage(timestamp, checkpointText));
  if (!verifyEd25519(witness.publicKey, message, signature)) {
    return {
      ok: false,
      reason: 'bad-signature',
      detail: `the signature is not ${parsed.name}'s over this checkpoint at time ${timestamp}`,
    };
  }
  return { ok: true, cosignature: { witness: parsed.name, timestamp, line: parsed.line } };
}

/** The line a witness writes: `— <name> <base64(key ID ‖ timestamp ‖ signature)>`. */
export function cosignatureBlob(
  keyId: Uint8Array,
  timestamp: bigint,
  signature: Uint8Array,
): Uint8Array {
  const blob = new Uint8Array(COSIGNATURE_BLOB_BYTES);
  blob.set(keyId);
  const time = Buffer.alloc(TIMESTAMP_BYTES);
  time.writeBigUInt64BE(timestamp);
  blob.set(time, 4);
  blob.set(signature, 4 + TIMESTAMP_BYTES);
  return blob;
}
