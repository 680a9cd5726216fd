import { hashFromBase64, leafHash } from '../../src/audit-log/domain/hashing';
import { rootHash } from '../../src/audit-log/domain/merkle-tree';
import { verifyConsistency, verifyInclusion } from '../../src/audit-log/domain/proof-verification';
import { InMemorySubtrees } from '../../src/audit-log/domain/in-memory-subtrees';
import {
  ED25519_SIGNATURE_TYPE,
  parseVerifierKey,
  verifyNoteSignature,
} from '../../src/audit-log/domain/signed-note';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { checkpointOf, eventsInStore, newWitness } from './support';

const decode = (b64: string) => {
  const hash = hashFromBase64(b64);
  if (!hash) throw new Error(`not a hash: ${b64}`);
  return hash;
};

describe('The audit log over HTTP', () => {
  const witness = newWitness('witness.example/w1');
  const stranger = newWitness('witness.example/stranger');
  let app: TestApp;
  let cast: Cast;
  let size: number;

  beforeAll(async () => {
    app = await TestApp.start({
      AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100',
      AUDIT_LOG_ORIGIN: 'battery-keys.test/audit-log',
      AUDIT_LOG_WITNESS_KEYS: witness.verifierKey,
    });
    cast = await registerCast(app);
    await provision(app, cast, 'SN-LOG-1');
    await provision(app, cast, 'SN-LOG-2');
    await issueKey(app, cast.ownerA, 'SN-LOG-1', { personId: 'alice', partyId: 'lessor-a' }, [
      'unlock',
    ]);
    size = eventsInStore(app.dataDir);
    await checkpointOf(app, size);
  }, 60_000);
  afterAll(() => app?.stop());

  it('serves a checkpoint signed by the key at /.well-known/audit-log-key, covering every event', async () => {
    const keyResponse = await app.request('GET', '/.well-known/audit-log-key');
    expect(keyResponse.status).toBe(200);
    expect(keyResponse.headers.get('content-type')).toMatch(/^text\/plain/);
    const parsedKey = parseVerifierKey(keyResponse.text.trim(), ED25519_SIGNATURE_TYPE);
    if ('error' in parsedKey) throw new Error(parsedKey.error);
    expect(parsedKey.key.name).toBe('battery-keys.test/audit-log');

    const { note, checkpoint } = await checkpointOf(app, size);
    expect(checkpoint.origin).toBe('battery-keys.test/audit-log');
    expect(checkpoint.size).toBe(size);
    expect(verifyNoteSignature(note.text, note.signatures[0], parsedKey.key)).toBe(true);
  });

  it('proves every leaf (by index and by event id) and consistency from every size, checkable with the checkpoint alone', async () => {
    const { checkpoint } = await checkpointOf(app, size);
    const entries = await app.request('GET', `/v1/log/entries?start=0&limit=1000`, {
      as: cast.platform,
    });
    expect(entries.status).toBe(200);
    const leaves = (
      entries.body as { entries: { leafIndex: number; leafHash: string; leaf: string }[] }
    ).entries;
    expect(leaves).toHaveLength(size);
    // The platform's auditors see every leaf's text, and it hashes to the leaf hash.
    for (const entry of leaves)
      expect(Buffer.from(leafHash(new TextEncoder().encode(entry.leaf))).toString('base64')).toBe(
        entry.leafHash,
      );
    expect(
      Buffer.from(rootHash(new InMemorySubtrees(leaves.map((e) => decode(e.leafHash))), size)),
    ).toEqual(Buffer.from(checkpoint.root));
    for (const entry of leaves) {
      const response = await app.request(
        'GET',
        `/v1/log/proofs/inclusion?leafIndex=${entry.leafIndex}&treeSize=${size}`,
        { as: cast.ownerB },
      );
      expect(response.status).toBe(200);
      const proof = response.body as { leafHash: string; rootHash: string; proof: string[] };
      expect(proof.leafHash).toBe(entry.leafHash);
      expect(
        verifyInclusion(
          decode(proof.leafHash),
          entry.leafIndex,
          size,
          proof.proof.map(decode),
          checkpoint.root,
        ),
      ).toBe(true);
    }
    const eventId = (JSON.parse(leaves[3].leaf) as { eventId: string }).eventId;
    const byId = await app.request(
      'GET',
      `/v1/log/proofs/inclusion?eventId=${eventId}&treeSize=${size}`,
      {
        as: cast.ownerA,
      },
    );
    expect(byId.body).toMatchObject({ leafIndex: 3, treeSize: size, leafHash: leaves[3].leafHash });
    for (let from = 1; from <= size; from++) {
      // Public: anyone holding two checkpoints may ask.
      const response = await app.request(
        'GET',
        `/v1/log/proofs/consistency?from=${from}&to=${size}`,
      );
      expect(response.status).toBe(200);
      const firstRoot = rootHash(new InMemorySubtrees(leaves.map((e) => decode(e.leafHash))), from);
      expect(
        verifyConsistency(
          from,
          size,
          firstRoot,
          checkpoint.root,
          (response.body as { proof: string[] }).proof.map(decode),
        ),
      ).toBe(true);
    }
  });

  it("shows a tenant only its own people's events: others' leaves come as hashes alone", async () => {
    const asOem = await app.request('GET', '/v1/log/entries?start=0&limit=1000', {
      as: cast.provisioner,
    });
    const asStranger = await app.request('GET', '/v1/log/entries?start=0&limit=1000', {
      as: cast.outsider,
    });
    const oemEntries = (asOem.body as { entries: { leaf?: string }[] }).entries;
    const strangerEntries = (asStranger.body as { entries: { leaf?: string }[] }).entries;
    expect(oemEntries).toHaveLength(size);
    const seen = oemEntries.filter((entry) => entry.leaf !== undefined);
    // The OEM provisioned both batteries: those leaves, and nothing the platform or the lessor did.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const entry of seen)
      expect(
        (JSON.parse(entry.leaf!) as { metadata: { actor: { partyId: string } } }).metadata.actor
          .partyId,
      ).toBe('oem');
    expect(strangerEntries.every((entry) => entry.leaf === undefined)).toBe(true);
  });

  it('answers bad input with problem+json 400/422/401, never a 500', async () => {
    const cases: [string, number, boolean][] = [
      ['/v1/log/proofs/consistency?from=0&to=1', 400, false],
      ['/v1/log/proofs/consistency?from=2&to=1', 400, false],
      ['/v1/log/proofs/consistency?from=1&to=abc', 400, false],
      [`/v1/log/proofs/consistency?from=1&to=${size + 1000}`, 422, false],
      [`/v1/log/proofs/inclusion?leafIndex=0&treeSize=${size}`, 401, false],
      [`/v1/log/proofs/inclusion?leafIndex=${size}&treeSize=${size}`, 422, true],
      [
        `/v1/log/proofs/inclusion?leafIndex=0&eventId=00000000-0000-4000-8000-000000000000&treeSize=${size}`,
        400,
        true,
      ],
      [
        `/v1/log/proofs/inclusion?eventId=00000000-0000-4000-8000-000000000000&treeSize=${size}`,
        404,
        true,
      ],
      ['/v1/log/proofs/inclusion?leafIndex=-1&treeSize=1', 400, true],
      ['/v1/log/entries?start=0&limit=1001', 400, true],
      [`/v1/log/entries?start=${size + 5}`, 422, true],
      ['/v1/log/entries?start=0&extra=1', 400, true],
      ['/v1/log/checkpoint?cosigned=yes', 400, false],
    ];
    for (const [path, status, signedIn] of cases) {
      const response = await app.request('GET', path, signedIn ? { as: cast.ownerA } : {});
      expect([path, response.status]).toEqual([path, status]);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it("accepts a trusted witness's cosignature of a signed checkpoint, serves it, and refuses the rest naming why", async () => {
    expect((await app.request('GET', '/v1/log/checkpoint?cosigned=true')).status).toBe(404);
    const { note } = await checkpointOf(app, size);
    const line = witness.cosign(note.text);
    const post = (checkpoint: string, cosignature: string) =>
      app.request('POST', '/v1/log/cosignatures', { body: { checkpoint, cosignature } });

    expect((await post(note.text, line)).status).toBe(204);
    const refusals = [
      [await post(note.text, stranger.cosign(note.text)), 'unknown-witness'],
      [await post(note.text, line.slice(0, -8) + 'AAAAAAA='), 'bad-cosignature'],
      [
        await post(note.text.replace(`\n${size}\n`, `\n${size + 1}\n`), witness.cosign(note.text)),
        'unknown-checkpoint',
      ],
      [
        await post(note.text, witness.cosign(note.text.replace('battery-keys.test', 'evil.test'))),
        'bad-cosignature',
      ],
    ] as const;
    for (const [response, code] of refusals) {
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ code });
    }
    const cosigned = await app.request('GET', '/v1/log/checkpoint?cosigned=true');
    expect(cosigned.status).toBe(200);
    expect(cosigned.text).toContain(line);
    expect(cosigned.text.startsWith(note.text)).toBe(true);
  });

  it('reports the log intact in /health/ready', async () => {
    const ready = await app.request('GET', '/health/ready');
    expect(ready.body).toMatchObject({ info: { auditLog: { status: 'up', state: 'intact' } } });
  });
});
