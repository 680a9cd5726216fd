import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildExport,
  canonicalJson,
  exampleLeaf,
  hashLeaf,
  IndependentTree,
  newSigner,
  signCheckpoint,
  type Json,
} from './support/independent-log';
import { runCli } from './support/run-cli';

/**
 * `npm run audit-verify` as an auditor runs it, on exports built by the test's own implementation
 * of docs/audit-log.md (support/independent-log.ts): a good export passes; each kind of tampering
 * fails with exit code 1 and a message naming the line and the check.
 */
describe('npm run audit-verify', () => {
  const ORIGIN = 'battery-keys.test/audit-log';
  const log = newSigner(ORIGIN);
  const leaves = Array.from({ length: 40 }, (_, i) => exampleLeaf(i));
  const tree = new IndependentTree(leaves.map(hashLeaf));
  let dir: string;
  let logKeyFile: string;

  const write = (name: string, content: string) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const writeExport = (name: string, lines: string[]) => write(name, `${lines.join('\n')}\n`);
  const verify = (exportFile: string, ...more: string[]) =>
    runCli('audit-verify.ts', ['--export', exportFile, '--log-key', logKeyFile, ...more]);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-verify-'));
    logKeyFile = write('log.pub', `${log.verifierKey}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a good export through the npm script and says what it verified', async () => {
    const file = writeExport('good.jsonl', buildExport({ log, tree, leaves }));
    const result = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        'npm',
        ['run', '-s', 'audit-verify', '--', '--export', file, '--log-key', logKeyFile],
        { cwd: join(__dirname, '..', '..'), timeout: 60_000 },
        (error, stdout) =>
          resolve({ code: error ? Number(error.code ?? -1) : 0, stdout: String(stdout) }),
      ),
    );
    expect(result.stdout).toContain('40 entries verified against checkpoint of size 40');
    expect(result.code).toBe(0);
  });

  it('accepts a filtered export that extends the checkpoint the auditor kept', async () => {
    const kept = write('kept-25.txt', signCheckpoint(log, 25, tree.root(25)));
    const file = writeExport(
      'filtered.jsonl',
      buildExport({ log, tree, leaves, indexes: [0, 3, 4, 17, 30, 39], previousSize: 25 }),
    );
    const result = await verify(file, '--previous-checkpoint', kept);
    expect(result.stdout).toMatch(
      /6 entries verified against checkpoint of size 40 .*extends the kept checkpoint of size 25/,
    );
    expect(result.code).toBe(0);
  });

  const failing = (lines: string[]) => writeExport(`bad-${Math.random()}.jsonl`, lines);
  const expectFailure = (
    result: { code: number; stderr: string },
    where: string,
    check: string,
  ) => {
    expect(result.stderr).toContain(`FAILED at ${where}: ${check}:`);
    expect(result.code).toBe(1);
  };

  it('fails on a changed leaf, naming its line (the leaf is still canonical, its proof no longer holds)', async () => {
    const lines = buildExport({ log, tree, leaves });
    const entry = JSON.parse(lines[4]) as { leaf: string };
    const event = JSON.parse(entry.leaf) as { data: Record<string, Json> };
    event.data.keyId = 'key-forged';
    entry.leaf = canonicalJson(event);
    lines[4] = JSON.stringify(entry);
    const result = await verify(failing(lines));
    expectFailure(result, 'line 5', 'inclusion');
    expect(result.stderr).toContain('leaf 3');
  });

  it('fails on a leaf that is not canonical JSON', async () => {
    const lines = buildExport({ log, tree, leaves });
    const entry = JSON.parse(lines[9]) as { leaf: string };
    entry.leaf = JSON.stringify(JSON.parse(entry.leaf), null, 1);
    lines[9] = JSON.stringify(entry);
    expectFailure(await verify(failing(lines)), 'line 10', 'canonical-leaf');
  });

  it('fails on a wrong proof hash', async () => {
    const lines = buildExport({ log, tree, leaves });
    const entry = JSON.parse(lines[6]) as { proof: string[] };
    const hash = Buffer.from(entry.proof[1], 'base64');
    hash[5] ^= 1;
    entry.proof[1] = hash.toString('base64');
    lines[6] = JSON.stringify(entry);
    expectFailure(await verify(failing(lines)), 'line 7', 'inclusion');
  });

  it('fails on reordered lines', async () => {
    const lines = buildExport({ log, tree, leaves });
    [lines[10], lines[11]] = [lines[11], lines[10]];
    expectFailure(await verify(failing(lines)), 'line 12', 'leaf-order');
  });

  it('fails on a checkpoint signed by another key under the same name', async () => {
    const impostor = newSigner(ORIGIN);
    const lines = buildExport({ log: impostor, tree, leaves });
    const result = await verify(failing(lines));
    expectFailure(result, 'line 1', 'checkpoint');
    expect(result.stderr).toContain('no signature by the log key');
  });

  it('fails on a forged previous checkpoint (another root under the log signature)', async () => {
    const genuine = signCheckpoint(log, 25, tree.root(25));
    const forged = genuine.replace(
      tree.root(25).toString('base64'),
      tree.root(24).toString('base64'),
    );
    const kept = write('forged.txt', forged);
    const file = writeExport(
      'for-forged.jsonl',
      buildExport({ log, tree, leaves, previousSize: 25 }),
    );
    const result = await verify(file, '--previous-checkpoint', kept);
    expectFailure(result, 'previous checkpoint', 'previous-checkpoint');
    expect(result.stderr).toContain('does not verify');
  });

  it('fails on a previous checkpoint that the export does not extend (another history, signed by the log)', async () => {
    // The log showed this auditor a tree in which leaf 2 was different: a fork, signed by the log.
    const otherLeaves = [...leaves.slice(0, 2), exampleLeaf(1000), ...leaves.slice(3)];
    const otherTree = new IndependentTree(otherLeaves.map(hashLeaf));
    const kept = write('other-history.txt', signCheckpoint(log, 25, otherTree.root(25)));
    const file = writeExport('extends.jsonl', buildExport({ log, tree, leaves, previousSize: 25 }));
    const result = await verify(file, '--previous-checkpoint', kept);
    expectFailure(result, 'line 1', 'consistency');
    expect(result.stderr).toContain('kept battery-keys.test/audit-log size 25');
  });

  it('fails when the header has no consistency proof for the kept checkpoint', async () => {
    const kept = write('kept-20.txt', signCheckpoint(log, 20, tree.root(20)));
    const file = writeExport('no-proof.jsonl', buildExport({ log, tree, leaves }));
    expectFailure(await verify(file, '--previous-checkpoint', kept), 'line 1', 'consistency');
  });

  it('fails on a rollback and on a fork of the kept checkpoint', async () => {
    const longer = [...leaves, exampleLeaf(40), exampleLeaf(41)];
    const longerTree = new IndependentTree(longer.map(hashLeaf));
    const file = writeExport('current.jsonl', buildExport({ log, tree, leaves }));
    const larger = write('kept-42.txt', signCheckpoint(log, 42, longerTree.root(42)));
    expectFailure(await verify(file, '--previous-checkpoint', larger), 'line 1', 'rollback');
    const sameSize = write('kept-40-fork.txt', signCheckpoint(log, 40, tree.root(39)));
    expectFailure(await verify(file, '--previous-checkpoint', sameSize), 'line 1', 'fork');
  });

  it('is a usage error (exit 2) when a file is missing or the key is not a verifier key', async () => {
    const file = writeExport('usage.jsonl', buildExport({ log, tree, leaves, indexes: [1] }));
    const missing = await verify(join(dir, 'nope.jsonl'));
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('cannot read the export');
    const badKey = await runCli('audit-verify.ts', ['--export', file, '--log-key', file]);
    expect(badKey).toMatchObject({ code: 2 });
    expect(badKey.stderr).toContain("is not the log's verifier key");
    expect(await runCli('audit-verify.ts', ['--export', file])).toMatchObject({ code: 2 });
  });

  it('verifies an export of 10,000 events offline, streaming it', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => exampleLeaf(i));
    const manyTree = new IndependentTree(many.map(hashLeaf));
    const file = join(dir, 'ten-thousand.jsonl');
    const out = createWriteStream(file);
    for (const line of buildExport({ log, tree: manyTree, leaves: many })) out.write(`${line}\n`);
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    const result = await verify(file);
    expect(result.stdout).toContain('10000 entries verified against checkpoint of size 10000');
    expect(result.code).toBe(0);
  }, 120_000);
});
