import { parseVerifierKey, SIGNATURE_TYPE, verifyExport } from '../../src/audit-verifier';
import {
  buildExport,
  canonicalJson,
  exampleLeaf,
  hashLeaf,
  IndependentTree,
  newSigner,
  signatureLine,
  type Json,
} from './support/independent-log';

/**
 * The export verifier in process, for the cases the spawned CLI spec does not spend a process on:
 * the form of the file and of each line. Exports come from the test's own implementation.
 */
describe('verifyExport: the form of an export', () => {
  const log = newSigner('battery-keys.test/audit-log');
  const logKey = parseVerifierKey(log.verifierKey, SIGNATURE_TYPE.ed25519);
  const leaves = Array.from({ length: 9 }, (_, i) => exampleLeaf(i));
  const tree = new IndependentTree(leaves.map(hashLeaf));
  const verify = (lines: string[], previousCheckpoint?: string) =>
    verifyExport(lines, { logKey, ...(previousCheckpoint ? { previousCheckpoint } : {}) });
  const withEntry = (line: number, change: (entry: Record<string, unknown>) => void) => {
    const lines = buildExport({ log, tree, leaves });
    const entry = JSON.parse(lines[line - 1]) as Record<string, unknown>;
    change(entry);
    lines[line - 1] = JSON.stringify(entry);
    return lines;
  };

  it('accepts a header alone: an export that matched no event', async () => {
    const verdict = await verify(buildExport({ log, tree, leaves, indexes: [] }));
    expect(verdict).toMatchObject({ ok: true, summary: { entries: 0, checkpoint: { size: 9 } } });
  });

  it('refuses an empty file and a first line that is not the header', async () => {
    expect(await verify([])).toMatchObject({ ok: false, failure: { line: 1, check: 'header' } });
    expect(await verify(['not json'])).toMatchObject({ failure: { line: 1, check: 'header' } });
    expect(await verify(['{"checkpoint":42}'])).toMatchObject({
      failure: { line: 1, check: 'checkpoint' },
    });
  });

  it('says when a consistency proof was present but not checked (no kept checkpoint)', async () => {
    const verdict = await verify(buildExport({ log, tree, leaves, previousSize: 4 }));
    expect(verdict).toMatchObject({ ok: true, summary: { uncheckedConsistencyFrom: 4 } });
  });

  it('names the line that is not JSON', async () => {
    const lines = buildExport({ log, tree, leaves });
    lines[2] = 'oops';
    expect(await verify(lines)).toMatchObject({ ok: false, failure: { line: 3, check: 'entry' } });
  });

  type Change = (entry: Record<string, unknown>) => void;
  it.each<[string, number, Change, string]>([
    ['a leaf index that is not a whole number', 4, (e) => void (e.leafIndex = 2.5), 'entry'],
    ['a leaf that is not a string', 5, (e) => void (e.leaf = {}), 'entry'],
    ['a proof hash that is not base64 SHA-256', 6, (e) => void (e.proof = ['AAAA']), 'entry'],
    ['a leaf index beyond the tree', 7, (e) => void (e.leafIndex = 9), 'leaf-index'],
    ['a repeated leaf index', 8, (e) => void (e.leafIndex = 5), 'leaf-order'],
  ])('names the line of %s', async (_, line, change, check) => {
    expect(await verify(withEntry(line, change))).toMatchObject({
      ok: false,
      failure: { line, check },
    });
  });

  it('refuses canonical JSON that is not a leaf: a missing or an extra member, a system stream', async () => {
    for (const tamper of [
      (leaf: Record<string, Json>) => void delete leaf.metadata,
      (leaf: Record<string, Json>) => void (leaf.position = 12),
      (leaf: Record<string, Json>) => void (leaf.stream = '$et-KeyIssued'),
    ]) {
      const lines = withEntry(2, (entry) => {
        const leaf = JSON.parse(entry.leaf as string) as Record<string, Json>;
        tamper(leaf);
        entry.leaf = canonicalJson(leaf);
      });
      expect(await verify(lines)).toMatchObject({
        ok: false,
        failure: { line: 2, check: 'canonical-leaf' },
      });
    }
  });

  it('refuses a checkpoint whose origin is not the log key name, even when the key signed it', async () => {
    const lines = buildExport({ log, tree, leaves });
    const header = JSON.parse(lines[0]) as { checkpoint: string };
    const body = header.checkpoint.slice(0, header.checkpoint.indexOf('\n\n') + 1);
    const renamed = body.replace('battery-keys.test/audit-log', 'other.test/log');
    lines[0] = JSON.stringify({ checkpoint: `${renamed}\n${signatureLine(log, renamed)}` });
    expect(await verify(lines)).toMatchObject({
      failure: { line: 1, check: 'checkpoint', detail: expect.stringContaining('origin') },
    });
  });
});
