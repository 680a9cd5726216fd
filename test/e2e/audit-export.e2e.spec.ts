import { decodeJwt } from 'jose';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { checkpointOf, eventsInStore } from '../audit-log/support';
import { runCli } from '../audit-log/support/run-cli';

interface ExportLine {
  leafIndex: number;
  leaf: string;
  proof: string[];
}

interface Header {
  checkpoint: string;
  consistency?: { from: number; proof: string[] };
}

const parseExport = (text: string) => {
  const [first, ...rest] = text.split('\n').filter(Boolean);
  return {
    header: JSON.parse(first) as Header,
    lines: rest.map((line) => JSON.parse(line) as ExportLine),
  };
};

/**
 * Issue 13: an auditor exports what the audit view shows them, each event with its proof against
 * one signed checkpoint, and checks it offline with the verifier; every history entry and every
 * bundle names its leaf.
 */
describe('audit export, leaf indexes and the bundle log pointer', () => {
  let app: TestApp;
  let cast: Cast;
  let work: string;

  beforeAll(async () => {
    app = await TestApp.start({ AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100' });
    cast = await registerCast(app);
    await provision(app, cast, 'SN-EXPORT-A');
    await provision(app, cast, 'SN-EXPORT-B');
    const issued = await issueKey(
      app,
      cast.ownerA,
      'SN-EXPORT-A',
      { personId: 'tom', partyId: 'workshop' },
      ['status.read'],
    );
    expect(issued.status).toBe(201);
    await checkpointOf(app, eventsInStore(app.dataDir));
    work = mkdtempSync(join(tmpdir(), 'audit-export-'));
  }, 60_000);

  afterAll(async () => {
    await app.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const exportOf = (query: string, as = cast.ownerA) =>
    app.request('GET', `/v1/audit/export?${query}`, { as });

  it("exports a battery's history with a proof per event, which the offline verifier accepts", async () => {
    const response = await exportOf('battery=SN-EXPORT-A');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const { header, lines } = parseExport(response.text);
    expect(header.checkpoint).toMatch(/^battery-keys\.localhost\/audit-log\n\d+\n/);
    // Provisioned, then the key: the battery's whole stream, in leaf order.
    const events = lines.map((line) => JSON.parse(line.leaf) as { stream: string; type: string });
    expect(events.map((event) => event.stream)).toEqual(events.map(() => 'battery-SN-EXPORT-A'));
    expect(events.map((event) => event.type)).toEqual(['BatteryProvisioned', 'KeyIssued']);
    const indexes = lines.map((line) => line.leafIndex);
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);

    const history = await app.request('GET', '/v1/batteries/SN-EXPORT-A/history', {
      as: cast.ownerA,
    });
    const items = (history.body as { items: { eventId: string; leafIndex: number }[] }).items;
    expect(items.map((item) => item.leafIndex)).toEqual(indexes);

    const exportFile = join(work, 'battery.jsonl');
    const keyFile = join(work, 'log.pub');
    writeFileSync(exportFile, response.text);
    writeFileSync(keyFile, (await app.request('GET', '/.well-known/audit-log-key')).text);
    const verified = await runCli('audit-verify.ts', [
      '--export',
      exportFile,
      '--log-key',
      keyFile,
    ]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);

    // One changed character in a leaf: the verifier names the line.
    const tampered = readFileSync(exportFile, 'utf8').replace('KeyIssued', 'KeyIssueD');
    writeFileSync(exportFile, tampered);
    const refused = await runCli('audit-verify.ts', ['--export', exportFile, '--log-key', keyFile]);
    expect(refused.code).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/line 3/);
  }, 120_000);

  it('proves with previousSize that the log only grew since a checkpoint the auditor kept', async () => {
    const kept = await checkpointOf(app, 1);
    const keptFile = join(work, 'old-checkpoint.txt');
    writeFileSync(keptFile, kept.text);
    await provision(app, cast, 'SN-EXPORT-C');
    await checkpointOf(app, eventsInStore(app.dataDir));

    const response = await exportOf(`party=lessor-a&previousSize=${kept.checkpoint.size}`);
    expect(response.status).toBe(200);
    const { header, lines } = parseExport(response.text);
    expect(header.consistency?.from).toBe(kept.checkpoint.size);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(
        (JSON.parse(line.leaf) as { metadata: { actor: { partyId: string } } }).metadata.actor
          .partyId,
      ).toBe('lessor-a');

    const exportFile = join(work, 'party.jsonl');
    const keyFile = join(work, 'log.pub');
    writeFileSync(exportFile, response.text);
    writeFileSync(keyFile, (await app.request('GET', '/.well-known/audit-log-key')).text);
    const verified = await runCli('audit-verify.ts', [
      '--export',
      exportFile,
      '--log-key',
      keyFile,
      '--previous-checkpoint',
      keptFile,
    ]);
    expect(verified.code).toBe(0);
  }, 120_000);

  it('signs into each bundle the leaf of the event that made its version', async () => {
    const bundle = await app.request('GET', '/v1/batteries/SN-EXPORT-A/bundle', {
      as: cast.ownerA,
    });
    expect(bundle.status).toBe(200);
    const claims = decodeJwt(bundle.text) as { ver: number; log?: { leafIndex: number } };
    expect(claims.log).toEqual({ leafIndex: expect.any(Number) as number });
    const size = (await checkpointOf(app, 1)).checkpoint.size;
    const entries = await app.request(
      'GET',
      `/v1/log/entries?start=${claims.log!.leafIndex}&limit=1`,
      { as: cast.ownerA },
    );
    expect(claims.log!.leafIndex).toBeLessThan(size);
    const [entry] = (entries.body as { entries: { leaf: string }[] }).entries;
    const event = JSON.parse(entry.leaf) as { stream: string; type: string };
    // The key issuance made version 2; later events that leave the access state alone do not move it.
    expect(event).toMatchObject({ stream: 'battery-SN-EXPORT-A', type: 'KeyIssued' });
  });

  it('exports only what the audit view would show, and refuses bad requests without a stream', async () => {
    // Another lessor's battery: the same 404 as an unknown serial.
    expect((await exportOf('battery=SN-EXPORT-A', cast.ownerB)).status).toBe(404);
    expect((await exportOf('battery=SN-NOBODY', cast.ownerB)).status).toBe(404);
    // Another party's acts: only oversight may.
    const foreign = await exportOf('party=lessor-a', cast.ownerB);
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toContain('application/problem+json');
    expect((await exportOf('party=lessor-a', cast.platform)).status).toBe(200);
    // Nothing named, an unknown parameter, a reversed range, a size beyond the log.
    for (const query of [
      '',
      'battery=SN-EXPORT-A&all=1',
      'party=lessor-a&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      'battery=SN-EXPORT-A&previousSize=0',
    ]) {
      const response = await exportOf(query);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
    }
    const beyond = await exportOf('battery=SN-EXPORT-A&previousSize=999999');
    expect(beyond.status).toBe(422);
    expect(beyond.body).toMatchObject({ code: 'previous-size-out-of-range' });
  });
});
