import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { CompactSign, compactVerify } from 'jose';
import { z } from 'zod';
import type { ReadModelCheckpoint } from './read-model.database';

/**
 * Who may give a new instance its read model. A snapshot decides what bundles say as much as the
 * read model does, and it travels through places an instance's own DATA_DIR never does (a shared
 * volume, a bucket): whoever could write there could add a key to a battery. So the snapshot
 * command signs each snapshot (SHA-256 of the file and its checkpoint, Ed25519, a detached JWS
 * beside it), and an instance uses a seed only when that signature verifies with the public key
 * it was given: writing the bucket is then not enough, the snapshot job's private key is needed.
 */

/** The `typ` of a snapshot's signature: a JWS made for this, not another of our signatures replayed. */
export const SNAPSHOT_SIGNATURE_TYPE = 'read-model-snapshot+jws';

/** Where a snapshot's signature is kept: beside it. */
export const signatureFileOf = (snapshot: string): string => `${snapshot}.jws`;

/** Where the public key of a new signing key is written: beside it. */
export const publicKeyFileOf = (privateKeyFile: string): string => `${privateKeyFile}.pub`;

/** What a signature says of its snapshot. */
export interface SnapshotClaims {
  /** SHA-256 of the snapshot file, unpadded base64url. */
  sha256: string;
  bytes: number;
  /** The snapshot's checkpoint: the event it was made at. */
  position: string;
  eventId: string;
  madeAt: string;
}

const claimsSchema = z.strictObject({
  sha256: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  bytes: z.number().int().nonnegative(),
  position: z.string().regex(/^\d{1,20}$/),
  eventId: z.string().min(1).max(200),
  madeAt: z.iso.datetime(),
});

/** A signing key or its public half cannot be created or read. */
export class SnapshotKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotKeyError';
  }
}

/**
 * A new Ed25519 signing key for snapshots: the private key (PKCS#8 PEM, mode 0600, never
 * overwritten) for the snapshot job, its public key (SPKI PEM) beside it for the instances.
 */
export function createSnapshotSigningKey(file: string): { publicKeyFile: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyFile = publicKeyFileOf(file);
  try {
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), {
      mode: 0o600,
      flag: 'wx',
    });
    writeFileSync(publicKeyFile, publicKey.export({ format: 'pem', type: 'spki' }), {
      mode: 0o644,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotKeyError(
      code === 'EEXIST'
        ? `${file} exists already: a signing key is never overwritten`
        : `cannot write the signing key: ${(error as Error).message}`,
    );
  }
  return { publicKeyFile };
}

/** The snapshot job's private key; only Ed25519 is accepted. */
export function loadSnapshotSigningKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch (error) {
    throw new SnapshotKeyError(
      `cannot read a private key from ${file}: ${(error as Error).message}`,
    );
  }
  return ed25519Only(key, file);
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * The public keys instances check snapshots with (READ_MODEL_SEED_PUBLIC_KEY_FILE): one or more
 * SPKI PEM blocks, so a new signing key can be trusted before the snapshot job switches to it
 * (and the old one dropped after). Only Ed25519; no private key.
 */
export function loadSnapshotVerifyingKeys(file: string): KeyObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SnapshotKeyError(
      `cannot read a public key from ${file}: ${(error as Error).message}`,
    );
  }
  const blocks = [...text.matchAll(PEM_BLOCK)];
  // Node derives a public key from a private one without a word: a private key here is refused,
  // so the signing key is not spread to every instance by a slip.
  if (blocks.some(([, label]) => label.includes('PRIVATE')))
    throw new SnapshotKeyError(`${file} holds a private key: give instances only the public key`);
  if (blocks.length === 0)
    throw new SnapshotKeyError(`cannot read a public key from ${file}: it holds no PEM block`);
  return blocks.map(([pem], index) => {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (error) {
      throw new SnapshotKeyError(
        `cannot read public key ${index + 1} of ${file}: ${(error as Error).message}`,
      );
    }
    return ed25519Only(key, file);
  });
}

function ed25519Only(key: KeyObject, file: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SnapshotKeyError(`${file} holds an ${key.asymmetricKeyType} key, not Ed25519`);
  return key;
}

/** SHA-256 (base64url) and length of a file, read as a stream: a snapshot may be gigabytes. */
export async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('base64url'), bytes };
}

/** The detached signature of a finished snapshot file (the compact JWS text). */
export async function signSnapshot(
  file: string,
  checkpoint: ReadModelCheckpoint & { eventId: string },
  privateKey: KeyObject,
  madeAt = new Date(),
): Promise<string> {
  const { sha256, bytes } = await fileDigest(file);
  const claims: SnapshotClaims = {
    sha256,
    bytes,
    position: checkpoint.position.toString(),
    eventId: checkpoint.eventId,
    madeAt: madeAt.toISOString(),
  };
  return new CompactSign(Buffer.from(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: SNAPSHOT_SIGNATURE_TYPE })
    .sign(privateKey);
}

/**
 * Checks a copied snapshot against its signature, before anything opens the copy: the signature
 * verifies with one of `publicKeys`, is a snapshot signature, and covers exactly these bytes.
 * Answers the signed claims, or why the copy cannot be trusted.
 */
export async function checkSnapshotSignature(
  copy: string,
  signature: string | undefined,
  publicKeys: readonly KeyObject[],
): Promise<SnapshotClaims | string> {
  if (signature === undefined)
    return 'it has no signature beside it (make snapshots with `--signing-key`)';
  const verified = await verifiedBy(signature.trim(), publicKeys);
  if (!verified)
    return 'its signature does not verify with READ_MODEL_SEED_PUBLIC_KEY_FILE (another key made it, or it was edited)';
  if (verified.protectedHeader.typ !== SNAPSHOT_SIGNATURE_TYPE)
    return `its signature is not a snapshot signature (typ ${String(verified.protectedHeader.typ)})`;
  const payload = verified.payload;
  let claims: SnapshotClaims;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(payload).toString('utf8')));
  } catch {
    return 'its signature does not say what a snapshot signature says';
  }
  // Cheap first: a file of another length is not the signed one, whatever its hash.
  if (statSync(copy).size !== claims.bytes || (await fileDigest(copy)).sha256 !== claims.sha256)
    return 'it is not the file its signature covers (edited, or replaced while it was being copied)';
  return claims;
}

/** The signature verified with the first of the keys it verifies with; undefined if none. */
async function verifiedBy(signature: string, publicKeys: readonly KeyObject[]) {
  for (const key of publicKeys) {
    try {
      return await compactVerify(signature, key, { algorithms: ['EdDSA'] });
    } catch {
      // Not this key (or not a JWS at all): the next one, or the refusal.
    }
  }
  return undefined;
}

/** Whether a signature's claims name this checkpoint. */
export function claimsCheckpoint(claims: SnapshotClaims, checkpoint: ReadModelCheckpoint): boolean {
  return (
    claims.position === checkpoint.position.toString() && claims.eventId === checkpoint.eventId
  );
}
