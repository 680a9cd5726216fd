import { createPrivateKey, createHash, sign } from 'node:crypto';
import {
  formatSignatureLine,
  keyIdOf,
  leafHash,
  parseSignatureLine,
  parseSignedNote,
  parseVerifierKey,
  rootFromInclusionProof,
  SIGNATURE_TYPE,
  verifyConsistency,
  verifyInclusion,
  verifyNoteSignature,
  MalformedNoteError,
} from '../../src/audit-verifier';

/**
 * The verifier against published vectors, not against itself: the 8-leaf reference tree of the
 * RFC 6962 / RFC 9162 implementations (transparency-dev/merkle proof/verify_test.go: its leaves,
 * the root of every size, inclusion and consistency proofs, and the corruptions a verifier must
 * refuse), and the signed-note examples of golang.org/x/mod/sumdb/note and c2sp.org.
 */
const hex = (text: string) => Buffer.from(text, 'hex');

const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);
/** ROOTS[n - 1] is the root of the tree of the first n leaves. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);
const EMPTY_TREE = hex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

/** leafIndex is 0-based here (the Go vectors count from 1). */
const INCLUSION = [
  { leafIndex: 0, treeSize: 1, proof: [] },
  {
    leafIndex: 0,
    treeSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leafIndex: 5,
    treeSize: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    leafIndex: 2,
    treeSize: 3,
    proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'],
  },
  {
    leafIndex: 1,
    treeSize: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
].map((vector) => ({ ...vector, proof: vector.proof.map(hex) }));

const CONSISTENCY = [
  {
    first: 1,
    second: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    first: 6,
    second: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
].map((vector) => ({ ...vector, proof: vector.proof.map(hex) }));

const flipBit = (proof: Buffer[], position: number, mask: number) =>
  proof.map((hash, i) => {
    if (i !== position) return hash;
    const copy = Buffer.from(hash);
    copy[0] ^= mask;
    return copy;
  });

describe('the Merkle tree verifier on the RFC 6962 reference vectors', () => {
  it('computes the published leaf hashes: the root of a one-leaf tree is its leaf hash', () => {
    expect(leafHash(LEAVES[0])).toEqual(ROOTS[0]);
    expect(createHash('sha256').digest()).toEqual(EMPTY_TREE);
  });

  it.each(INCLUSION)(
    'accepts the inclusion proof of leaf $leafIndex in the tree of size $treeSize',
    ({ leafIndex, treeSize, proof }) => {
      const root = ROOTS[treeSize - 1];
      const leaf = leafHash(LEAVES[leafIndex]);
      expect(rootFromInclusionProof(leafIndex, treeSize, leaf, proof)).toEqual(root);
      expect(verifyInclusion(leafIndex, treeSize, leaf, proof, root)).toBe(true);
    },
  );

  it.each(INCLUSION.filter((vector) => vector.proof.length > 0))(
    'refuses every corruption of the inclusion proof of leaf $leafIndex in size $treeSize',
    ({ leafIndex, treeSize, proof }) => {
      const root = ROOTS[treeSize - 1];
      const leaf = leafHash(LEAVES[leafIndex]);
      const probes: [string, number, number, Buffer, Buffer[], Buffer][] = [
        ['leafIndex - 1', leafIndex - 1, treeSize, leaf, proof, root],
        ['leafIndex + 1', leafIndex + 1, treeSize, leaf, proof, root],
        ['leafIndex ^ 2', leafIndex ^ 2, treeSize, leaf, proof, root],
        ['treeSize * 2', leafIndex, treeSize * 2, leaf, proof, root],
        ['treeSize / 2', leafIndex, Math.floor(treeSize / 2), leaf, proof, root],
        ['wrong leaf', leafIndex, treeSize, Buffer.from('WrongLeaf'), proof, root],
        ['empty root', leafIndex, treeSize, leaf, proof, EMPTY_TREE],
        ['random root', leafIndex, treeSize, leaf, proof, SOME_HASH],
        ['trailing garbage', leafIndex, treeSize, leaf, [...proof, Buffer.alloc(0)], root],
        ['trailing root', leafIndex, treeSize, leaf, [...proof, root], root],
        ['preceding garbage', leafIndex, treeSize, leaf, [Buffer.alloc(0), ...proof], root],
        ['preceding root', leafIndex, treeSize, leaf, [root, ...proof], root],
        ['removed component', leafIndex, treeSize, leaf, proof.slice(0, -1), root],
        ...proof.map((_, i): [string, number, number, Buffer, Buffer[], Buffer] => [
          `proof[${i}] bit 3`,
          leafIndex,
          treeSize,
          leaf,
          flipBit(proof, i, 8),
          root,
        ]),
      ];
      if (proof.length > 1)
        probes.push([
          'inserted component',
          leafIndex,
          treeSize,
          leaf,
          [proof[0], SOME_HASH, ...proof.slice(1)],
          root,
        ]);
      const accepted = probes.filter(([, index, size, hash, path, expected]) =>
        verifyInclusion(index, size, hash, path, expected),
      );
      expect(accepted.map(([description]) => description)).toEqual([]);
    },
  );

  it('refuses an index outside the tree', () => {
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [-1, 4],
    ])
      expect(verifyInclusion(index, size, SOME_HASH, [], EMPTY_TREE)).toBe(false);
  });

  it.each(CONSISTENCY)(
    'accepts the consistency proof from $first to $second',
    ({ first, second, proof }) => {
      expect(verifyConsistency(first, second, ROOTS[first - 1], ROOTS[second - 1], proof)).toBe(
        true,
      );
    },
  );

  it.each(CONSISTENCY)(
    'refuses every corruption of the consistency proof from $first to $second',
    ({ first, second, proof }) => {
      const [root1, root2] = [ROOTS[first - 1], ROOTS[second - 1]];
      const probes: [string, number, number, Buffer, Buffer, Buffer[]][] = [
        ['first - 1', first - 1, second, root1, root2, proof],
        ['first + 1', first + 1, second, root1, root2, proof],
        ['first ^ 2', first ^ 2, second, root1, root2, proof],
        ['second * 2', first, second * 2, root1, root2, proof],
        ['second / 2', first, Math.floor(second / 2), root1, root2, proof],
        ['wrong root1', first, second, Buffer.from('WrongRoot'), root2, proof],
        ['wrong root2', first, second, root1, Buffer.from('WrongRoot'), proof],
        ['swapped roots', first, second, root2, root1, proof],
        ['empty proof', first, second, root1, root2, []],
        ['trailing garbage', first, second, root1, root2, [...proof, Buffer.alloc(0)]],
        ['trailing root1', first, second, root1, root2, [...proof, root1]],
        ['trailing root2', first, second, root1, root2, [...proof, root2]],
        ['preceding garbage', first, second, root1, root2, [Buffer.alloc(0), ...proof]],
        ['preceding root1', first, second, root1, root2, [root1, ...proof]],
        ['preceding root2', first, second, root1, root2, [root2, ...proof]],
        ['preceding proof[0]', first, second, root1, root2, [proof[0], ...proof]],
        ['truncated proof', first, second, root1, root2, proof.slice(0, -1)],
        ...proof.map((_, i): [string, number, number, Buffer, Buffer, Buffer[]] => [
          `proof[${i}] bit 4`,
          first,
          second,
          root1,
          root2,
          flipBit(proof, i, 16),
        ]),
      ];
      const accepted = probes.filter(([, size1, size2, r1, r2, path]) =>
        verifyConsistency(size1, size2, r1, r2, path),
      );
      expect(accepted.map(([description]) => description)).toEqual([]);
    },
  );

  it('settles the edge cases the algorithm leaves out as the reference does', () => {
    const [a, b] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    // Always consistent: the empty tree, and a tree with itself.
    expect(verifyConsistency(0, 0, a, a, [])).toBe(true);
    expect(verifyConsistency(0, 1, a, b, [])).toBe(true);
    expect(verifyConsistency(1, 1, b, b, [])).toBe(true);
    // Equal sizes with other roots (a fork), time travel, a missing proof, a needless proof.
    expect(verifyConsistency(1, 1, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 0, a, b, [])).toBe(false);
    expect(verifyConsistency(2, 1, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 2, a, b, [])).toBe(false);
    expect(verifyConsistency(0, 0, EMPTY_TREE, EMPTY_TREE, [EMPTY_TREE])).toBe(false);
    expect(verifyConsistency(0, 1, EMPTY_TREE, EMPTY_TREE, [EMPTY_TREE])).toBe(false);
    expect(verifyConsistency(1, 1, EMPTY_TREE, EMPTY_TREE, [EMPTY_TREE])).toBe(false);
  });

  it('shifts sizes beyond 32 bits correctly (no bitwise operators on indexes)', () => {
    // A right-most leaf of a tree of 2^33 + 1 leaves: its proof is the root of the left 2^33
    // leaves, and the root is node(that, leaf).
    const size = 2 ** 33 + 1;
    const left = Buffer.alloc(32, 7);
    const leaf = Buffer.alloc(32, 9);
    const root = createHash('sha256')
      .update(Buffer.from([1]))
      .update(left)
      .update(leaf)
      .digest();
    expect(verifyInclusion(size - 1, size, leaf, [left], root)).toBe(true);
    expect(verifyInclusion(size - 2, size, leaf, [left], root)).toBe(false);
  });
});

describe('signed notes on the golang.org/x/mod/sumdb/note vectors', () => {
  const PETER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const ENOCH = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
  const PETER_SIGNER =
    'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
  const TEXT =
    'If you think cryptography is the answer to your problem,\n' +
    "then you don't know what your problem is.\n";
  const PETER_SIG =
    '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
  const ENOCH_SIG =
    '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

  it('reads the verifier keys, whose key IDs are the hash of name, type and key', () => {
    const peter = parseVerifierKey(PETER, SIGNATURE_TYPE.ed25519);
    expect(peter).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3 });
    expect(keyIdOf('PeterNeumann', 0x01, peter.rawPublicKey)).toBe(0xc74f20a3);
    expect(parseVerifierKey(ENOCH, SIGNATURE_TYPE.ed25519).keyId).toBe(0xaf0cfe78);
  });

  it('refuses mangled verifier keys: any truncation, any changed byte, wrong type or length', () => {
    const refused = (text: string) => {
      try {
        parseVerifierKey(text, SIGNATURE_TYPE.ed25519);
        return false;
      } catch {
        return true;
      }
    };
    const accepted: string[] = [];
    for (let i = 0; i < PETER.length; i++) {
      const changed =
        PETER.slice(0, i) + String.fromCharCode(PETER.charCodeAt(i) + 1) + PETER.slice(i + 1);
      if (!refused(changed)) accepted.push(changed);
      if (i > 0 && !refused(PETER.slice(0, i))) accepted.push(PETER.slice(0, i));
      if (i > 0 && !refused(PETER.slice(i))) accepted.push(PETER.slice(i));
    }
    accepted.push(
      ...[
        'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
        'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      ].filter((text) => !refused(text)),
    );
    expect(accepted).toEqual([]);
    // The same key material announced as a witness key (type 0x04) is another key.
    expect(refused(PETER.replace('+ARpc', '+BBpc'))).toBe(true);
  });

  it('signs the note exactly as the reference does (Ed25519 is deterministic)', () => {
    const seed = Buffer.from(PETER_SIGNER.split('+').slice(4).join('+'), 'base64').subarray(1);
    const privateKey = createPrivateKey({
      key: Buffer.concat([hex('302e020100300506032b657004220420'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const signature = sign(null, Buffer.from(TEXT), privateKey);
    expect(`${formatSignatureLine('PeterNeumann', 0xc74f20a3, signature)}\n`).toBe(PETER_SIG);
  });

  it('verifies the known signature, ignores the unknown one, and refuses a corrupted one', () => {
    const peter = parseVerifierKey(PETER, SIGNATURE_TYPE.ed25519);
    const enoch = parseVerifierKey(ENOCH, SIGNATURE_TYPE.ed25519);
    const note = parseSignedNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`);
    expect(note.text).toBe(TEXT);
    expect(note.signatures.map((s) => [s.keyName, s.keyId])).toEqual([
      ['PeterNeumann', 0xc74f20a3],
      ['EnochRoot', 0xaf0cfe78],
    ]);
    expect(verifyNoteSignature(note, peter)).toBe('verified');
    expect(verifyNoteSignature(note, enoch)).toBe('verified');
    expect(verifyNoteSignature(parseSignedNote(`${TEXT}\n${ENOCH_SIG}`), peter)).toBe('unsigned');
    const corrupted = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(verifyNoteSignature(parseSignedNote(corrupted), peter)).toBe('bad-signature');
    // A signature line with the right name but another key ID is someone else's: not checked.
    const wrongId = `${TEXT}\n${PETER_SIG.replace('x08g', 'xxxx')}`;
    expect(verifyNoteSignature(parseSignedNote(wrongId), peter)).toBe('unsigned');
    // Another text under Peter's signature fails.
    expect(verifyNoteSignature(parseSignedNote(`${TEXT}x\n\n${PETER_SIG}`), peter)).toBe(
      'bad-signature',
    );
  });

  it('refuses the malformed notes of the reference', () => {
    const malformed = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      `${TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      `${TEXT}\n${PETER_SIG.repeat(101)}`,
      `\ud800${TEXT}\n${PETER_SIG}`,
    ];
    for (const note of malformed) expect(() => parseSignedNote(note)).toThrow(MalformedNoteError);
  });
});

describe('the c2sp.org/tlog-cosignature example', () => {
  it('reads the witness line: key ID, then the 8-byte big-endian time the example signs', () => {
    const line =
      '\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';
    const signature = parseSignatureLine(line);
    expect(signature?.keyName).toBe('witness.example.com/w1');
    expect(signature?.signature.length).toBe(8 + 64);
    // The example's signed message says "time 1679315147".
    expect(Number(signature?.signature.readBigUInt64BE(0))).toBe(1679315147);
  });
});
