import { TestApp, newPublicJwk, type Caller, type TestResponse } from '../support/test-app';
import { provision, registerCast, type Cast } from '../support/fleet-scenario';
import {
  canonicalJson,
  hashLeaf,
  IndependentTree,
  openCheckpointNote,
  type Json,
  type OpenedNote,
} from './support/independent-log';

/**
 * Everything the service says about its audit log, recomputed from docs/audit-log.md alone by the
 * test's second implementation (support/independent-log.ts: node:crypto and its own RFC 8785,
 * nothing from src/): each leaf from the event the audit view shows, each leaf hash, the root
 * under the signed checkpoint, every inclusion and consistency proof, and the leaf a bundle names.
 */
interface AuditItem {
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  data: Json;
  actor: { personId: string; partyId: string; role: string };
  occurredAt: string;
  reason: string | null;
  requestId: string;
  policyVersion: number | null;
  leafIndex?: number;
}
interface Entry {
  leafIndex: number;
  leafHash: string;
  leaf?: string;
}

const b64 = (hashes: Buffer[]) => hashes.map((hash) => hash.toString('base64'));

describe('the audit log recomputed independently from docs/audit-log.md', () => {
  let app: TestApp;
  let cast: Cast;
  let auditor: Caller;
  let logKey: string;
  let checkpoint: OpenedNote;
  let items: AuditItem[];
  let entries: Entry[];
  let tree: IndependentTree;

  const ok = (response: TestResponse, what: string) => {
    if (response.status >= 300) throw new Error(`${what}: ${response.status} ${response.text}`);
    return response;
  };

  async function allAuditItems(): Promise<AuditItem[]> {
    const found: AuditItem[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const query = `/v1/audit?limit=500${cursor ? `&cursor=${cursor}` : ''}`;
      const body = ok(await app.request('GET', query, { as: auditor }), 'audit').body as {
        items: AuditItem[];
        nextCursor: string | null;
      };
      found.push(...body.items);
      if (!body.nextCursor) return found;
      cursor = body.nextCursor;
    }
    throw new Error('more audit pages than the scenario makes');
  }

  /** The newest checkpoint, once it covers every event of the scenario (bounded wait). */
  async function checkpointCovering(size: number): Promise<OpenedNote> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const response = await app.request('GET', '/v1/log/checkpoint');
      if (response.status === 200) {
        const opened = openCheckpointNote(response.text, logKey);
        if (opened.size >= size) return opened;
      }
      if (Date.now() > deadline) throw new Error(`no checkpoint of size ${size} within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    app = await TestApp.start({
      AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100',
      AUDIT_LOG_ORIGIN: 'recompute.test/audit-log',
    });
    cast = await registerCast(app);
    auditor = await app.caller('audrey', 'platform', ['auditor']);
    await provision(app, cast, 'REC-1');
    await provision(app, cast, 'REC-2');
    ok(
      await app.request('POST', '/v1/batteries/REC-1/keys', {
        as: cast.ownerA,
        headers: { 'idempotency-key': 'recompute-key-1' },
        body: {
          keyId: 'tom-diag',
          holder: { personId: 'tom', partyId: 'workshop' },
          publicKey: (await newPublicJwk()).publicJwk,
          capabilities: ['diagnostics.read', 'faults.reset'],
          notAfter: new Date(Date.now() + 86_400_000).toISOString(),
          reason: 'Wartung — Zelle 3 "prüfen"\n😀',
        },
      }),
      'issue key',
    );
    ok(
      await app.request('POST', '/v1/batteries/REC-1/transfers', {
        as: cast.ownerA,
        body: { toOwnerId: 'lessor-b', transferId: 'rec-sale', reason: 'Q4 portfolio sale' },
      }),
      'transfer',
    );
    ok(
      await app.request('POST', '/v1/batteries/REC-1/transfers/rec-sale/accept', {
        as: cast.ownerB,
      }),
      'accept',
    );

    logKey = (await app.request('GET', '/.well-known/audit-log-key')).text.trim();
    items = await allAuditItems();
    checkpoint = await checkpointCovering(items.length);
    const served = ok(
      await app.request('GET', `/v1/log/entries?start=0&limit=1000`, { as: auditor }),
      'entries',
    ).body as { entries: Entry[] };
    entries = served.entries.filter((entry) => entry.leafIndex < checkpoint.size);
    tree = new IndependentTree(entries.map((entry) => hashLeaf(entry.leaf ?? '')));
  }, 60_000);
  afterAll(async () => app?.stop());

  it('serves a checkpoint signed by the key at /.well-known/audit-log-key, in the C2SP form', () => {
    expect(logKey).toMatch(/^recompute\.test\/audit-log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(checkpoint.origin).toBe('recompute.test/audit-log');
    expect(checkpoint.body).toMatch(
      /^recompute\.test\/audit-log\n[1-9][0-9]*\n[A-Za-z0-9+/]{43}=\n$/,
    );
  });

  it('has one leaf per event, in the global order the audit view shows', () => {
    expect(items.length).toBeGreaterThanOrEqual(10);
    expect(checkpoint.size).toBe(items.length);
    expect(entries.map((entry) => entry.leafIndex)).toEqual(items.map((_, i) => i));
    expect(items.map((item) => item.leafIndex)).toEqual(items.map((_, i) => i));
  });

  it('makes each leaf the RFC 8785 canonical JSON of the event, as §1 lists its members', () => {
    for (const [i, entry] of entries.entries()) {
      const item = items[i];
      const leaf = entry.leaf ?? '';
      expect(canonicalJson(JSON.parse(leaf) as Json)).toBe(leaf);
      const parsed = JSON.parse(leaf) as Record<string, Json> & {
        metadata: Record<string, Json>;
      };
      expect(Object.keys(parsed).sort()).toEqual([
        'data',
        'eventId',
        'metadata',
        'revision',
        'stream',
        'type',
      ]);
      expect(parsed).toMatchObject({
        stream: item.streamId,
        revision: item.revision,
        eventId: item.eventId,
        type: item.type,
        data: item.data,
      });
      const { metadata } = parsed;
      expect(metadata).toMatchObject({
        actor: item.actor,
        occurredAt: item.occurredAt,
        requestId: item.requestId,
      });
      expect(metadata.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(metadata).toHaveProperty('schema');
      if (item.policyVersion !== null) expect(metadata.policyVersion).toBe(item.policyVersion);
      if (item.reason !== null) expect(metadata.reason).toBe(item.reason);
      else expect(metadata).not.toHaveProperty('reason');
      // Rebuilt from the audit view's fields, plus the two the view does not show.
      const rebuilt = canonicalJson({
        stream: item.streamId,
        revision: item.revision,
        eventId: item.eventId,
        type: item.type,
        data: item.data,
        metadata: {
          ...metadata,
          actor: item.actor,
          occurredAt: item.occurredAt,
          requestId: item.requestId,
          ...(item.reason === null ? {} : { reason: item.reason }),
        },
      });
      expect(rebuilt).toBe(leaf);
      expect(entry.leafHash).toBe(hashLeaf(leaf).toString('base64'));
    }
    const issued = entries.find((entry) => entry.leaf?.includes('"KeyIssued"'));
    expect(JSON.parse(issued?.leaf ?? '{}')).toMatchObject({
      metadata: { idempotency: expect.anything(), reason: 'Wartung — Zelle 3 "prüfen"\n😀' },
    });
  });

  it('signs the root of those leaves (RFC 9162 MTH)', () => {
    expect(tree.root(checkpoint.size).toString('base64')).toBe(checkpoint.root.toString('base64'));
  });

  it('serves every inclusion proof exactly as RFC 9162 PATH defines it, at the checkpoint and at a smaller size', async () => {
    const size = checkpoint.size;
    const smaller = Math.max(1, Math.floor(size / 2) + 1);
    for (const [index, treeSize] of [
      ...entries.map((entry): [number, number] => [entry.leafIndex, size]),
      [0, smaller] as [number, number],
      [smaller - 1, smaller] as [number, number],
    ]) {
      const response = await app.request(
        'GET',
        `/v1/log/proofs/inclusion?leafIndex=${index}&treeSize=${treeSize}`,
        { as: auditor },
      );
      expect(response.body).toEqual({
        leafIndex: index,
        treeSize,
        leafHash: entries[index].leafHash,
        rootHash: tree.root(treeSize).toString('base64'),
        proof: b64(tree.inclusionProof(index, treeSize)),
      });
    }
    const byEvent = await app.request(
      'GET',
      `/v1/log/proofs/inclusion?eventId=${items[3].eventId}&treeSize=${size}`,
      { as: auditor },
    );
    expect(byEvent.body).toMatchObject({ leafIndex: 3, proof: b64(tree.inclusionProof(3, size)) });
  });

  it('serves every consistency proof exactly as RFC 9162 SUBPROOF defines it', async () => {
    const size = checkpoint.size;
    for (let from = 1; from <= size; from++) {
      const response = await app.request(
        'GET',
        `/v1/log/proofs/consistency?from=${from}&to=${size}`,
      );
      expect(response.body).toEqual({
        from,
        to: size,
        proof: b64(tree.consistencyProof(from, size)),
      });
    }
    const middle = await app.request('GET', `/v1/log/proofs/consistency?from=2&to=${size - 1}`);
    expect(middle.body).toEqual({
      from: 2,
      to: size - 1,
      proof: b64(tree.consistencyProof(2, size - 1)),
    });
  });

  it("names in each bundle the leaf of the last event of the battery's stream", async () => {
    const bundle = await app.request('GET', '/v1/batteries/REC-2/bundle', { as: cast.ownerA });
    expect(bundle.status).toBe(200);
    const payload = JSON.parse(
      Buffer.from(bundle.text.split('.')[1], 'base64url').toString('utf8'),
    ) as { log?: { leafIndex: number } };
    const last = items.reduce(
      (found, item, i) => (item.streamId === 'battery-REC-2' ? i : found),
      -1,
    );
    expect(payload.log).toEqual({ leafIndex: last });
  });
});
