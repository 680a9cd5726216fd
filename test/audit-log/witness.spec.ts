import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import {
  parseVerifierKey,
  runWitnessRound,
  SIGNATURE_TYPE,
  witnessVerifierKey,
  type RoundOutcome,
  type WitnessOptions,
} from '../../src/audit-verifier';
import { FakeLogServer } from './support/fake-log-server';
import { checkCosignature, exampleLeaf, newSigner } from './support/independent-log';
import { runCli } from './support/run-cli';

/**
 * The witness against a log on 127.0.0.1 that the test controls: it cosigns an honest log's
 * extensions (the cosignature is checked by the test's own implementation), and refuses, keeping
 * its state, a fork, a rollback, an inconsistent history and a checkpoint the log did not sign.
 */
const ORIGIN = 'battery-keys.test/audit-log';
const WITNESS_NAME = 'witness.example/w1';

describe('the audit witness against a fake log', () => {
  const log = newSigner(ORIGIN);
  const witness = newSigner(WITNESS_NAME, 0x04);
  const history = Array.from({ length: 60 }, (_, i) => exampleLeaf(i));
  const server = new FakeLogServer(log);
  let dir: string;
  let options: WitnessOptions;
  const stateText = () => readFileSync(options.stateFile, 'utf8');
  const round = () => runWitnessRound(options);

  const expectCosigned = (outcome: RoundOutcome, size: number) => {
    expect(outcome).toMatchObject({ kind: 'cosigned', checkpoint: { size } });
    const posted = server.received.at(-1);
    const body = server.checkpoint.slice(0, server.checkpoint.lastIndexOf('\n\n') + 1);
    expect(posted?.checkpoint).toBe(body);
    // Verified by the second implementation, with only the witness's public verifier key.
    const time = checkCosignature(body, posted?.cosignature ?? '', witness.verifierKey);
    expect(time).toBe(outcome.kind === 'cosigned' ? outcome.time : -1);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-witness-'));
    await server.start();
    options = {
      logUrl: server.baseUrl,
      logKey: parseVerifierKey(log.verifierKey, SIGNATURE_TYPE.ed25519),
      cosigner: { name: WITNESS_NAME, privateKey: witness.privateKey },
      stateFile: join(dir, 'state.json'),
      timeoutMs: 5_000,
    };
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cosigns the first checkpoint it sees, and the cosignature verifies independently', async () => {
    server.show(history, 20);
    expectCosigned(await round(), 20);
    expect(JSON.parse(stateText())).toMatchObject({ version: 1, checkpoint: server.checkpoint });
  });

  it('sends nothing for a checkpoint it has cosigned already', async () => {
    const sent = server.received.length;
    expect(await round()).toMatchObject({ kind: 'unchanged', checkpoint: { size: 20 } });
    expect(server.received).toHaveLength(sent);
  });

  it('cosigns a good extension after checking the consistency proof', async () => {
    server.show(history, 33);
    expectCosigned(await round(), 33);
    expect(server.requests).toContain('GET /v1/log/proofs/consistency?from=20&to=33');
  });

  it('detects a fork (another root for the size it has seen), cosigns nothing and keeps its state', async () => {
    const kept = stateText();
    const sent = server.received.length;
    const forked = [...history.slice(0, 5), exampleLeaf(500), ...history.slice(6)];
    server.show(forked, 33);
    const outcome = await round();
    expect(outcome).toMatchObject({ kind: 'alarm', alarm: 'fork', seen: { size: 33 } });
    expect(outcome.kind === 'alarm' && outcome.served).toBe(server.checkpoint);
    expect(server.received).toHaveLength(sent);
    expect(stateText()).toBe(kept);
  });

  it('detects a rollback (a smaller tree than it has seen), even of a genuine older checkpoint', async () => {
    const kept = stateText();
    server.show(history, 25);
    const outcome = await round();
    expect(outcome).toMatchObject({ kind: 'alarm', alarm: 'rollback', seen: { size: 33 } });
    expect(outcome.kind === 'alarm' && outcome.detail).toContain('size 25');
    expect(stateText()).toBe(kept);
  });

  it('refuses a larger tree of another history: its consistency proof cannot verify', async () => {
    const kept = stateText();
    const rewritten = [...history.slice(0, 10), exampleLeaf(700), ...history.slice(11)];
    server.show(rewritten, 40);
    expect(await round()).toMatchObject({ kind: 'alarm', alarm: 'inconsistent' });
    expect(stateText()).toBe(kept);
  });

  it('refuses a checkpoint not signed by the log key', async () => {
    server.show(history, 40, newSigner(ORIGIN));
    expect(await round()).toMatchObject({ kind: 'alarm', alarm: 'unverifiable' });
  });

  it('remembers what it verified when the log refuses the cosignature, and delivers it next round', async () => {
    server.show(history, 45);
    server.cosignatureStatus = 422;
    expect(await round()).toMatchObject({ kind: 'failed' });
    expect(JSON.parse(stateText())).toMatchObject({ checkpoint: server.checkpoint });
    expect(JSON.parse(stateText())).not.toHaveProperty('deliveredAt');
    server.cosignatureStatus = 204;
    expectCosigned(await round(), 45);
    expect(JSON.parse(stateText())).toHaveProperty('deliveredAt');
  });

  it('says a round failed when the log is unreachable', async () => {
    const outcome = await runWitnessRound({ ...options, logUrl: 'http://127.0.0.1:9' });
    expect(outcome).toMatchObject({ kind: 'failed' });
  });
});

describe('npm run audit-witness (the CLI, spawned)', () => {
  const log = newSigner(ORIGIN);
  const history = Array.from({ length: 30 }, (_, i) => exampleLeaf(i));
  const server = new FakeLogServer(log);
  let dir: string;
  let files: { key: string; logKey: string; state: string };
  const witnessRun = (...more: string[]) =>
    runCli('audit-witness.ts', [
      '--log-url',
      server.baseUrl,
      '--log-key',
      files.logKey,
      '--witness-key',
      files.key,
      '--name',
      WITNESS_NAME,
      '--state',
      files.state,
      ...more,
    ]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-witness-cli-'));
    await server.start();
    files = {
      key: join(dir, 'witness.key'),
      logKey: join(dir, 'log.pub'),
      state: join(dir, 'state.json'),
    };
    writeFileSync(files.logKey, `${log.verifierKey}\n`);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--init creates an owner-only Ed25519 key and prints its verifier key; never overwrites it', async () => {
    const created = await runCli('audit-witness.ts', [
      '--init',
      '--witness-key',
      files.key,
      '--name',
      WITNESS_NAME,
    ]);
    expect(created.code).toBe(0);
    const verifierKey = created.stdout.trim();
    expect(verifierKey).toMatch(/^witness\.example\/w1\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(statSync(files.key).mode & 0o777).toBe(0o600);
    const privateKey = createPrivateKey(readFileSync(files.key));
    expect(witnessVerifierKey(WITNESS_NAME, privateKey)).toBe(verifierKey);
    expect(parseVerifierKey(verifierKey, SIGNATURE_TYPE.cosignatureV1).name).toBe(WITNESS_NAME);

    const again = await runCli('audit-witness.ts', [
      '--init',
      '--witness-key',
      files.key,
      '--name',
      WITNESS_NAME,
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('never overwritten');
  });

  it('persists its state across runs: cosigns, cosigns the extension, then alarms on a fork with exit 1', async () => {
    const verifierKey = witnessVerifierKey(WITNESS_NAME, createPrivateKey(readFileSync(files.key)));
    server.show(history, 12);
    const first = await witnessRun('--once');
    expect(first.stdout).toContain(`cosigned ${ORIGIN} size 12`);
    expect(first.code).toBe(0);

    server.show(history, 30);
    const second = await witnessRun('--once');
    expect(second.stdout).toMatch(/cosigned .* size 30 .*\(extends size 12\)/);
    expect(second.code).toBe(0);
    const body = server.checkpoint.slice(0, server.checkpoint.lastIndexOf('\n\n') + 1);
    expect(checkCosignature(body, server.received.at(-1)?.cosignature ?? '', verifierKey)).toEqual(
      expect.any(Number),
    );

    const kept = readFileSync(files.state, 'utf8');
    const seenRoot = server.tree.root(30).toString('base64');
    server.show([...history.slice(0, 29), exampleLeaf(99)], 30);
    const fork = await witnessRun('--once');
    expect(fork.code).toBe(1);
    const alarm = fork.stderr.split('\n').find((line) => line.includes('ALARM'));
    // One line naming both checkpoints: the one served now and the one the witness had seen.
    expect(alarm).toContain('ALARM fork');
    expect(alarm).toContain(
      `served ${ORIGIN} size 30 root ${server.tree.root(30).toString('base64')}`,
    );
    expect(alarm).toContain(`seen ${ORIGIN} size 30 root ${seenRoot}`);
    expect(readFileSync(files.state, 'utf8')).toBe(kept);

    server.show(history, 20);
    const rollback = await witnessRun('--once');
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toContain('ALARM rollback');
  });

  it('--interval runs a round every interval until SIGTERM, then exits 0', async () => {
    server.show(history, 30);
    const keyFile = join(dir, 'interval.key');
    const pem = newSigner(WITNESS_NAME, 0x04).privateKey.export({ format: 'pem', type: 'pkcs8' });
    writeFileSync(keyFile, pem, { mode: 0o600 });
    const child = spawn(
      process.execPath,
      [
        require.resolve('ts-node/dist/bin.js'),
        '--transpile-only',
        join('src', 'cli', 'audit-witness.ts'),
        ...['--log-url', server.baseUrl, '--log-key', files.logKey, '--witness-key', keyFile],
        ...['--name', WITNESS_NAME, '--state', join(dir, 'interval-state.json')],
        ...['--interval', '0.2'],
      ],
      { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = once(child, 'exit') as Promise<[number | null]>;
    let running = true;
    void exited.then(() => (running = false));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (text: string) => {
      const deadline = Date.now() + 30_000;
      while (running && !output.includes(text) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
    };
    // The first round cosigns; later rounds find nothing new; then the log grows.
    await waitFor('unchanged');
    server.show([...history, exampleLeaf(30), exampleLeaf(31)], 32);
    await waitFor('(extends size 30)');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(output).toContain(`cosigned ${ORIGIN} size 30`);
    expect(output).toContain(`cosigned ${ORIGIN} size 32`);
    expect(code).toBe(0);
  }, 90_000);

  it('is a usage error (exit 2) without a readable witness key', async () => {
    const result = await runCli('audit-witness.ts', [
      '--log-url',
      server.baseUrl,
      '--log-key',
      files.logKey,
      '--witness-key',
      join(dir, 'missing.key'),
      '--name',
      WITNESS_NAME,
      '--state',
      files.state,
      '--once',
    ]);
    expect(result.code).toBe(2);
  });
});
