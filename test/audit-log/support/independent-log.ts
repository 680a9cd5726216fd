import {
  createHash,
  generateKeyPairSync,
  createPublicKey,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/**
 * A second implementation of the audit log, written from docs/audit-log.md alone with node:crypto:
 * leaves (its own RFC 8785 canonicalization for the JSON that events hold), the RFC 9162 tree, its
 * proofs as the RFC defines them (PATH and SUBPROOF), signed-note checkpoints and cosignatures.
 * It imports nothing from src/ (a dependency rule checks it), so the service and the offline
 * verifier are each compared with something that shares no code with them.
 */

// ---- RFC 8785 for the JSON subset events use ----------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [member: string]: Json };

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function canonicalString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const char = text[i];
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw new Error('lone surrogate');
      out += char + text[i + 1];
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      throw new Error('lone surrogate');
    } else if (ESCAPES[char] !== undefined) {
      out += ESCAPES[char];
    } else if (unit < 0x20) {
      out += `\\u${unit.toString(16).padStart(4, '0')}`;
    } else {
      out += char;
    }
  }
  return `${out}"`;
}

/** Sorting member names by their UTF-16 code units, as RFC 8785 §3.2.3 says. */
function byCodeUnits(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = a.charCodeAt(i) - b.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

export function canonicalJson(value: Json): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('not a finite number');
    // ECMAScript Number::toString is RFC 8785's number form (-0 prints as 0).
    return String(value);
  }
  if (typeof value === 'string') return canonicalString(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const members = Object.keys(value).sort(byCodeUnits);
  return `{${members.map((name) => `${canonicalString(name)}:${canonicalJson(value[name])}`).join(',')}}`;
}

// ---- the tree -------------------------------------------------------------------------------

export const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
export const hashLeaf = (leafText: string) =>
  sha256(Buffer.from([0]), Buffer.from(leafText, 'utf8'));
const hashChildren = (left: Buffer, right: Buffer) => sha256(Buffer.from([1]), left, right);

const largestPowerOfTwoBelow = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** RFC 9162 §2.1.1's MTH over ranges of leaf hashes, each range hashed once. */
export class IndependentTree {
  private readonly memo = new Map<string, Buffer>();

  constructor(readonly leafHashes: readonly Buffer[]) {}

  /** MTH(D[start:end]). */
  hash(start: number, end: number): Buffer {
    if (end === start) return sha256();
    if (end - start === 1) return this.leafHashes[start];
    const key = `${start}:${end}`;
    const known = this.memo.get(key);
    if (known) return known;
    const k = largestPowerOfTwoBelow(end - start);
    const value = hashChildren(this.hash(start, start + k), this.hash(start + k, end));
    this.memo.set(key, value);
    return value;
  }

  root(size: number): Buffer {
    return this.hash(0, size);
  }

  /** PATH(m, D[0:n]) of RFC 9162 §2.1.3.1. */
  inclusionProof(m: number, size: number): Buffer[] {
    const path = (index: number, start: number, end: number): Buffer[] => {
      if (end - start === 1) return [];
      const k = largestPowerOfTwoBelow(end - start);
      return index < k
        ? [...path(index, start, start + k), this.hash(start + k, end)]
        : [...path(index - k, start + k, end), this.hash(start, start + k)];
    };
    return path(m, 0, size);
  }

  /** PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true) of RFC 9162 §2.1.4.1. */
  consistencyProof(m: number, size: number): Buffer[] {
    const subproof = (count: number, start: number, end: number, complete: boolean): Buffer[] => {
      if (count === end - start) return complete ? [] : [this.hash(start, end)];
      const k = largestPowerOfTwoBelow(end - start);
      return count <= k
        ? [...subproof(count, start, start + k, complete), this.hash(start + k, end)]
        : [...subproof(count - k, start + k, end, false), this.hash(start, start + k)];
    };
    if (m === 0 || m === size) return [];
    return subproof(m, 0, size, true);
  }
}

// ---- keys, checkpoints, cosignatures ------------------------------------------------------

const rawPublicKey = (key: KeyObject) =>
  Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x ?? '', 'base64url');

export const keyId = (name: string, type: number, publicKey: Buffer) =>
  sha256(Buffer.from(`${name}\n`, 'utf8'), Buffer.from([type]), publicKey).subarray(0, 4);

export interface TestSigner {
  name: string;
  privateKey: KeyObject;
  publicKey: Buffer;
  /** `<name>+<key ID hex>+<base64(type ‖ key)>`. */
  verifierKey: string;
}

export function newSigner(name: string, type: 0x01 | 0x04 = 0x01): TestSigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = rawPublicKey(privateKey);
  const material = Buffer.concat([Buffer.from([type]), publicKey]).toString('base64');
  return {
    name,
    privateKey,
    publicKey,
    verifierKey: `${name}+${keyId(name, type, publicKey).toString('hex')}+${material}`,
  };
}

export const checkpointBody = (origin: string, size: number, root: Buffer) =>
  `${origin}\n${size}\n${root.toString('base64')}\n`;

export function signatureLine(signer: TestSigner, body: string): string {
  const signature = sign(null, Buffer.from(body, 'utf8'), signer.privateKey);
  const bytes = Buffer.concat([keyId(signer.name, 0x01, signer.publicKey), signature]);
  return `\u2014 ${signer.name} ${bytes.toString('base64')}\n`;
}

/** A checkpoint note signed by `signer` (the log key, whose name is the origin). */
export function signCheckpoint(
  signer: TestSigner,
  size: number,
  root: Buffer,
  origin = signer.name,
) {
  const body = checkpointBody(origin, size, root);
  return `${body}\n${signatureLine(signer, body)}`;
}

export interface OpenedNote {
  body: string;
  origin: string;
  size: number;
  root: Buffer;
  /** Every signature line after the blank line, without newlines. */
  lines: string[];
}

interface ReadKey {
  name: string;
  id: Buffer;
  type: number;
  key: KeyObject;
}

/** `<name>+<key ID hex>+<base64(type ‖ key)>`, with its key ID checked. */
function readVerifierKey(text: string): ReadKey {
  const [name, idHex, ...rest] = text.trim().split('+');
  const material = Buffer.from(rest.join('+'), 'base64');
  const publicKey = material.subarray(1);
  const id = keyId(name, material[0], publicKey);
  if (id.toString('hex') !== idHex) throw new Error('the key ID does not match');
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  return { name, id, type: material[0], key };
}

/** A signature line's parts when it is `key`'s (name and key ID), else undefined. */
function signatureBytes(line: string, key: ReadKey): Buffer | undefined {
  const [dash, name, b64] = line.split(' ');
  if (dash !== '\u2014' || name !== key.name || b64 === undefined) return undefined;
  const bytes = Buffer.from(b64, 'base64');
  return bytes.subarray(0, 4).equals(key.id) ? bytes.subarray(4) : undefined;
}

/** Splits a note at its last blank line and checks the log's signature (type 0x01) on its body. */
export function openCheckpointNote(note: string, verifierKey: string): OpenedNote {
  const key = readVerifierKey(verifierKey);
  if (key.type !== 0x01) throw new Error('not an Ed25519 note key');
  const split = note.lastIndexOf('\n\n');
  const body = note.slice(0, split + 1);
  const lines = note
    .slice(split + 2)
    .split('\n')
    .filter(Boolean);
  const own = lines.map((line) => signatureBytes(line, key)).filter((bytes) => bytes !== undefined);
  if (own.length === 0) throw new Error('no signature by the log key');
  for (const signature of own)
    if (!verify(null, Buffer.from(body, 'utf8'), key.key, signature))
      throw new Error('the log signature does not verify');
  const [origin, size, root] = body.split('\n');
  if (origin !== key.name) throw new Error("the origin is not the log key's name");
  return { body, origin, size: Number(size), root: Buffer.from(root, 'base64'), lines };
}

/** The time of a cosignature/v1 line by the witness over `body`, or undefined if it does not verify. */
export function checkCosignature(body: string, line: string, witnessVerifierKey: string) {
  const key = readVerifierKey(witnessVerifierKey);
  if (key.type !== 0x04) return undefined;
  const bytes = signatureBytes(line.replace(/\n$/, ''), key);
  if (!bytes || bytes.length !== 72) return undefined;
  const time = Number(bytes.readBigUInt64BE(0));
  const message = Buffer.from(`cosignature/v1\ntime ${time}\n${body}`, 'utf8');
  return verify(null, message, key.key, bytes.subarray(8)) ? time : undefined;
}

// ---- events and exports ---------------------------------------------------------------------

/** A leaf as §1 lists its members, canonical; events of a few batteries with realistic metadata. */
export function exampleLeaf(index: number): string {
  const serial = `BK-${String(index % 50).padStart(4, '0')}`;
  return canonicalJson({
    stream: `battery-${serial}`,
    revision: Math.floor(index / 50),
    eventId: randomUUID(),
    type: index % 3 === 0 ? 'KeyIssued' : index % 3 === 1 ? 'KeyRevoked' : 'OwnershipTransferred',
    data: {
      serial,
      keyId: `key-${index}`,
      capabilities: ['diagnostics.read', 'faults.reset'],
      limits: { cellVoltageMaxV: 4.25, chargeCurrentMaxA: 100, temperatureMinC: -20 },
      note: index % 7 === 0 ? 'Übergabe \u2014 café "Nord"\n\u0001 \u2028 😀' : null,
    },
    metadata: {
      actor: { personId: 'alice', partyId: 'lessor-a', role: 'owner-admin' },
      occurredAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
      requestId: `req-${index}`,
      policyVersion: 1,
      schema: 1,
      ...(index % 5 === 0 ? { reason: 'quarterly rotation' } : {}),
    },
  });
}

export interface ExportOptions {
  log: TestSigner;
  tree: IndependentTree;
  leaves: readonly string[];
  /** The checkpoint's size (default: every leaf). */
  size?: number;
  /** Which leaves the export holds (default: all of the checkpoint). */
  indexes?: readonly number[];
  previousSize?: number;
}

/** The export of docs/audit-log.md §5, as an array of lines (without newlines). */
export function buildExport({
  log,
  tree,
  leaves,
  size = leaves.length,
  indexes,
  previousSize,
}: ExportOptions) {
  const header: Record<string, unknown> = {
    checkpoint: signCheckpoint(log, size, tree.root(size)),
  };
  if (previousSize !== undefined)
    header.consistency = {
      from: previousSize,
      proof: tree.consistencyProof(previousSize, size).map((hash) => hash.toString('base64')),
    };
  const lines = [JSON.stringify(header)];
  for (const index of indexes ?? leaves.slice(0, size).map((_, i) => i))
    lines.push(
      JSON.stringify({
        leafIndex: index,
        leaf: leaves[index],
        proof: tree.inclusionProof(index, size).map((hash) => hash.toString('base64')),
      }),
    );
  return lines;
}
