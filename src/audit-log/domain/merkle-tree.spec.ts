import fc from 'fast-check';
import { EMPTY_ROOT, leafHash, toBase64 } from './hashing';
import { InMemorySubtrees } from './in-memory-subtrees';
import { MerkleFrontier } from './merkle-frontier';
import { consistencyProof, inclusionProof, rootHash, splitPoint } from './merkle-tree';
import { verifyConsistency, verifyInclusion } from './proof-verification';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

/**
 * The reference tree of RFC 6962's implementations (certificate-transparency-go, trillian,
 * transparency-dev/merkle testonly): eight leaf inputs and the root of every prefix, with some
 * of their published proofs. A tree no other implementation agrees with proves nothing to anyone.
 */
const REFERENCE_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((input) => leafHash(unhex(input)));
const REFERENCE_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const reference = new InMemorySubtrees(REFERENCE_LEAVES);

const leavesOf = (count: number, salt = 0) =>
  Array.from({ length: count }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${salt}/${i}`)));

describe('The Merkle tree of RFC 9162, on the reference tree of certificate transparency', () => {
  it('given the eight reference leaves, when the root of every prefix is taken, then each is the published one', () => {
    for (let size = 0; size <= 8; size++)
      expect(hex(rootHash(reference, size))).toBe(REFERENCE_ROOTS[size]);
    expect(hex(EMPTY_ROOT)).toBe(REFERENCE_ROOTS[0]);
  });

  it('given the tree of 8, when leaves 0 and 5 are proven, then the paths are the published ones', () => {
    expect(inclusionProof(reference, 0, 8).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(inclusionProof(reference, 5, 8).map(hex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('given the reference tree, when consistency is proven 2→8, 6→8 and 2→5, then the proofs are the published ones', () => {
    expect(consistencyProof(reference, 2, 8).map(hex)).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(consistencyProof(reference, 6, 8).map(hex)).toEqual([
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(consistencyProof(reference, 2, 5).map(hex)).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ]);
  });

  it('given equal sizes, when consistency is proven, then the proof is empty and verifies only against the same root', () => {
    const root = rootHash(reference, 4);
    expect(consistencyProof(reference, 4, 4)).toEqual([]);
    expect(verifyConsistency(4, 4, root, root, [])).toBe(true);
    expect(verifyConsistency(4, 4, root, rootHash(reference, 5), [])).toBe(false);
  });

  it('splits at the largest power of two below n, not at the midpoint', () => {
    expect([2, 3, 5, 6, 8, 9, 1000].map(splitPoint)).toEqual([1, 2, 4, 4, 4, 8, 512]);
  });

  it('refuses proofs outside the tree instead of inventing them', () => {
    expect(() => inclusionProof(reference, 8, 8)).toThrow(RangeError);
    expect(() => inclusionProof(reference, -1, 8)).toThrow(RangeError);
    expect(() => consistencyProof(reference, 0, 8)).toThrow(RangeError);
    expect(() => consistencyProof(reference, 6, 5)).toThrow(RangeError);
  });
});

describe('Every proof of every tree verifies, and altering any leaf breaks it (fast-check)', () => {
  const sizes = fc.integer({ min: 1, max: 300 });

  it('inclusion: any leaf of any size verifies against the root; a changed leaf, index or path does not', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat(), (size, pick, salt) => {
        const leaves = leavesOf(size, salt);
        const tree = new InMemorySubtrees(leaves);
        const root = rootHash(tree, size);
        const index = pick % size;
        const proof = inclusionProof(tree, index, size);
        expect(verifyInclusion(leaves[index], index, size, proof, root)).toBe(true);
        // The same proof for an altered leaf fails.
        const altered = leafHash(new TextEncoder().encode(`altered ${salt}/${index}`));
        expect(verifyInclusion(altered, index, size, proof, root)).toBe(false);
        if (size > 1) {
          expect(verifyInclusion(leaves[index], (index + 1) % size, size, proof, root)).toBe(false);
          const flipped = proof.map((hash) => Uint8Array.from(hash));
          flipped[pick % flipped.length][0] ^= 1;
          expect(verifyInclusion(leaves[index], index, size, flipped, root)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('consistency: any two sizes verify; rewriting any leaf of the older tree breaks the proof', () => {
    fc.assert(
      fc.property(sizes, sizes, fc.nat(), fc.nat(), (a, b, pick, salt) => {
        const [first, second] = a <= b ? [a, b] : [b, a];
        const leaves = leavesOf(second, salt);
        const tree = new InMemorySubtrees(leaves);
        const proof = consistencyProof(tree, first, second);
        const firstRoot = rootHash(tree, first);
        const secondRoot = rootHash(tree, second);
        expect(verifyConsistency(first, second, firstRoot, secondRoot, proof)).toBe(true);
        // A log that rewrote leaf i < first and then grew: its new tree no longer extends the old one.
        const rewritten = [...leaves];
        rewritten[pick % first] = leafHash(new TextEncoder().encode('rewritten'));
        const forged = new InMemorySubtrees(rewritten);
        const forgedProof = consistencyProof(forged, first, second);
        expect(
          verifyConsistency(first, second, firstRoot, rootHash(forged, second), forgedProof),
        ).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('the frontier grown leaf by leaf has the root of every prefix, and names each perfect subtree once', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), (size, salt) => {
        const leaves = leavesOf(size, salt);
        const tree = new InMemorySubtrees(leaves);
        const frontier = MerkleFrontier.empty();
        const completed = new Set<string>();
        leaves.forEach((leaf, i) => {
          for (const subtree of frontier.append(leaf)) {
            expect(toBase64(subtree.hash)).toBe(toBase64(tree.hash(subtree.level, subtree.index)));
            completed.add(`${subtree.level}/${subtree.index}`);
          }
          expect(toBase64(frontier.root())).toBe(toBase64(rootHash(tree, i + 1)));
        });
        // Every perfect subtree of level ≥ 1: size − popcount(size) of them.
        const ones = size.toString(2).replace(/0/g, '').length;
        expect(completed.size).toBe(size - ones);
        expect(toBase64(MerkleFrontier.of(tree, size).root())).toBe(toBase64(frontier.root()));
      }),
      { numRuns: 40 },
    );
  });
});
