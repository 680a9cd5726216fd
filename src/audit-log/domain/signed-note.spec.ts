import { generateKeyPairSync, sign } from 'node:crypto';
import { checkpointText, parseCheckpointText } from './checkpoint';
import { cosignatureBlob, cosignedMessage, verifyCosignature } from './cosignature';
import { leafHash, toBase64 } from './hashing';
import {
  COSIGNATURE_V1_TYPE,
  ED25519_SIGNATURE_TYPE,
  formatSignedNote,
  formatVerifierKey,
  keyIdOf,
  parseSignedNote,
  parseVerifierKey,
  signatureLine,
  verifyNoteSignature,
  type VerifierKey,
} from './signed-note';

/** The examples of golang.org/x/mod/sumdb/note and of the C2SP signed-note spec. */
const PETER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_PRIVATE =
  'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const SPEC_KEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const keyOf = (text: string, type = ED25519_SIGNATURE_TYPE): VerifierKey => {
  const parsed = parseVerifierKey(text, type);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.key;
};

/** An Ed25519 private key from its 32-byte seed (PKCS#8 DER prefix + seed). */
const privateKeyFromSeed = (seed: Uint8Array) => ({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
  format: 'der' as const,
  type: 'pkcs8' as const,
});

describe('Signed notes (C2SP signed-note)', () => {
  it('given the published examples, when their signatures are checked, then each verifies with its key', () => {
    for (const [keyText, note] of [
      [PETER_KEY, PETER_NOTE],
      [SPEC_KEY, SPEC_NOTE],
    ]) {
      const parsed = parseSignedNote(note);
      expect(parsed).toBeDefined();
      expect(verifyNoteSignature(parsed!.text, parsed!.signatures[0], keyOf(keyText))).toBe(true);
    }
  });

  it("given Peter Neumann's private key, when his text is signed here, then the note is byte for byte Go's", () => {
    const seed = Buffer.from(PETER_PRIVATE.split('+').slice(4).join('+'), 'base64').subarray(1);
    const key = keyOf(PETER_KEY);
    const signature = sign(null, Buffer.from(PETER_TEXT), privateKeyFromSeed(seed));
    const note = formatSignedNote(PETER_TEXT, [signatureLine(key.name, key.keyId, signature)]);
    expect(note).toBe(PETER_NOTE);
    expect(formatVerifierKey(key.name, key.publicKey)).toBe(PETER_KEY);
  });

  it('given a tampered text, key ID or name, when checked, then the signature does not verify', () => {
    const parsed = parseSignedNote(PETER_NOTE)!;
    const key = keyOf(PETER_KEY);
    expect(
      verifyNoteSignature(PETER_TEXT.replace('answer', 'question'), parsed.signatures[0], key),
    ).toBe(false);
    expect(verifyNoteSignature(parsed.text, parsed.signatures[0], keyOf(SPEC_KEY))).toBe(false);
    const wrongId = { ...parsed.signatures[0], blob: Uint8Array.from(parsed.signatures[0].blob) };
    wrongId.blob[0] ^= 1;
    expect(verifyNoteSignature(parsed.text, wrongId, key)).toBe(false);
  });

  it('refuses verifier keys whose ID, type or shape is wrong, naming why', () => {
    expect(parseVerifierKey(PETER_KEY.replace('c74f20a3', 'c74f20a4'), 1)).toEqual({
      error: 'the key ID does not match the name and key',
    });
    expect('error' in parseVerifierKey(PETER_KEY, COSIGNATURE_V1_TYPE)).toBe(true);
    expect('error' in parseVerifierKey('no-plus-at-all', 1)).toBe(true);
    expect('error' in parseVerifierKey('a b+c74f20a3+ARpc', 1)).toBe(true);
  });

  it('refuses notes without a blank line or with a line that is not a signature', () => {
    expect(parseSignedNote('text\n')).toBeUndefined();
    expect(parseSignedNote('text\n\nnot a signature\n')).toBeUndefined();
    expect(parseSignedNote(PETER_NOTE.slice(0, -1))).toBeUndefined();
  });
});

describe('Checkpoints (C2SP tlog-checkpoint)', () => {
  it('given an origin, size and root, when written and read back, then the three lines round-trip', () => {
    const root = leafHash(new Uint8Array());
    const text = checkpointText({ origin: 'example.com/log', size: 42, root });
    expect(text).toBe(`example.com/log\n42\n${toBase64(root)}\n`);
    expect(parseCheckpointText(text)).toEqual({ origin: 'example.com/log', size: 42, root });
  });

  it('refuses leading zeros, short roots, extra lines and spaces in the origin', () => {
    const root = toBase64(leafHash(new Uint8Array()));
    expect(parseCheckpointText(`o\n042\n${root}\n`)).toBeUndefined();
    expect(parseCheckpointText(`o\n42\nAAAA\n`)).toBeUndefined();
    expect(parseCheckpointText(`o\n42\n${root}\nextra\n`)).toBeUndefined();
    expect(parseCheckpointText(`o o\n42\n${root}\n`)).toBeUndefined();
  });
});

describe('Cosignatures (C2SP tlog-cosignature, cosignature/v1)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  const witness = keyOf(
    formatVerifierKey('witness.example', raw, COSIGNATURE_V1_TYPE),
    COSIGNATURE_V1_TYPE,
  );
  const checkpoint = checkpointText({
    origin: 'log.example',
    size: 7,
    root: leafHash(Uint8Array.of(7)),
  });
  const cosign = (text: string, timestamp = 1_700_000_000n) => {
    const signature = sign(null, Buffer.from(cosignedMessage(timestamp, text)), privateKey);
    return signatureLine(
      'witness.example',
      keyIdOf('witness.example', COSIGNATURE_V1_TYPE, raw),
      signature,
    ).replace(/\S+$/, toBase64(cosignatureBlob(witness.keyId, timestamp, signature)));
  };

  it('given a trusted witness cosigning a checkpoint, when verified, then it is accepted with its time', () => {
    const result = verifyCosignature(cosign(checkpoint), checkpoint, [witness]);
    expect(result).toEqual({
      ok: true,
      cosignature: {
        witness: 'witness.example',
        timestamp: 1_700_000_000n,
        line: cosign(checkpoint),
      },
    });
  });

  it('given another checkpoint, an unknown witness or a malformed line, when verified, then it is refused naming why', () => {
    const other = checkpointText({
      origin: 'log.example',
      size: 8,
      root: leafHash(Uint8Array.of(8)),
    });
    expect(verifyCosignature(cosign(other), checkpoint, [witness])).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyCosignature(cosign(checkpoint), checkpoint, [])).toMatchObject({
      ok: false,
      reason: 'unknown-witness',
    });
    expect(verifyCosignature('— witness.example AAAA', checkpoint, [witness])).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });
});
