import { createServer } from 'node:net';
import { once } from 'node:events';
import { registerCast, issueKey, type Cast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { provisionDevice } from '../devices/support/device-harness';

/** A free loopback port for the metrics listener (the OS picks it; the race is harmless here). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** One series of a Prometheus text exposition: its name, labels and value. */
interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key] = value;
    series.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return series;
}

/** A scrape, read as numbers: the sum of every series of `name` whose labels include `labels`. */
class Scrape {
  readonly series: Series[];
  constructor(readonly text: string) {
    this.series = parseExposition(text);
  }

  value(name: string, labels: Record<string, string> = {}): number {
    return this.series
      .filter(
        (one) =>
          one.name === name &&
          Object.entries(labels).every(([key, value]) => one.labels[key] === value),
      )
      .reduce((sum, one) => sum + one.value, 0);
  }

  has(name: string, labels: Record<string, string> = {}): boolean {
    return this.series.some(
      (one) =>
        one.name === name &&
        Object.entries(labels).every(([key, value]) => one.labels[key] === value),
    );
  }

  /** The metric is declared (HELP and TYPE), even when no series has been counted yet. */
  declares(name: string, type: string): boolean {
    return this.text.includes(`# TYPE ${name} ${type}\n`);
  }
}

const P = 'battery_keys_';

describe('metrics: GET /metrics after a short scenario (issue, transfer, device pull and ack, a refusal)', () => {
  let app: TestApp;
  let cast: Cast;
  let metricsUrl: string;
  const scrape = async () => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    return new Scrape(await response.text());
  };

  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    app = await TestApp.start({ METRICS_PORT: String(port), METRICS_ON_API_PORT: 'true' });
    cast = await registerCast(app);
  });
  afterAll(async () => app.stop());

  it('counts each step of the scenario, with route templates, command types and problem codes as labels', async () => {
    const device = await provisionDevice(app, cast, 'SN-METRICS');
    const before = await scrape();

    // Lessor A issues a key; the battery pulls the bundle listing it, applies and acknowledges it.
    const issued = await issueKey(
      app,
      cast.ownerA,
      'SN-METRICS',
      { personId: 'tom', partyId: 'workshop' },
      ['diagnostics.read'],
    );
    expect(issued.status).toBe(201);
    const keyId = issued.body.events[0].data.keyId as string;
    const simulated = device.simulated(app);
    expect(await simulated.sync()).toMatchObject({ kind: 'applied', ver: 2 });
    // Pulled again with the ETag it holds: 304.
    expect(await simulated.sync()).toEqual({ kind: 'current' });
    // The battery goes to lessor B: the same append revokes tom's key, which the device still holds.
    const requested = await app.request('POST', '/v1/batteries/SN-METRICS/transfers', {
      as: cast.ownerA,
      body: { toOwnerId: 'lessor-b', transferId: 'sale-1' },
    });
    expect(requested.status).toBe(201);
    const accepted = await app.request('POST', '/v1/batteries/SN-METRICS/transfers/sale-1/accept', {
      as: cast.ownerB,
    });
    expect(accepted.status).toBe(200);
    // A refused command: the key is already revoked.
    const refused = await app.request('POST', `/v1/batteries/SN-METRICS/keys/${keyId}/revoke`, {
      as: cast.ownerB,
      body: { reason: 'again' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('key-already-revoked');

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      after.value(name, labels) - before.value(name, labels);

    // Commands by type and result; the refusal by its problem code, exactly once.
    const commands = `${P}commands_total`;
    expect(delta(commands, { command: 'IssueKey', result: 'applied', code: '' })).toBe(1);
    expect(delta(commands, { command: 'AcknowledgeBundle', result: 'applied' })).toBe(1);
    expect(delta(commands, { command: 'RequestOwnershipTransfer', result: 'applied' })).toBe(1);
    expect(delta(commands, { command: 'ApproveOwnershipTransfer', result: 'applied' })).toBe(1);
    expect(
      delta(commands, { command: 'RevokeKey', result: 'refused', code: 'key-already-revoked' }),
    ).toBe(1);
    expect(delta(commands, { result: 'failed' })).toBe(0);

    // Requests by route template (never the raw URL), method and status.
    const requests = `${P}http_request_duration_seconds_count`;
    expect(
      delta(requests, { method: 'POST', route: '/v1/batteries/:serial/keys', status_code: '201' }),
    ).toBe(1);
    expect(
      delta(requests, {
        method: 'POST',
        route: '/v1/batteries/:serial/keys/:keyId/revoke',
        status_code: '409',
      }),
    ).toBe(1);
    expect(after.series.some((one) => one.labels.route?.includes('SN-METRICS'))).toBe(false);
    expect(after.has(`${P}http_request_duration_seconds_bucket`, { le: '0.005' })).toBe(true);

    // Bundles: the first pull signed version 2 and got a body, the second got 304.
    expect(delta(`${P}bundles_served_total`, { caller: 'device', status_code: '200' })).toBe(1);
    expect(delta(`${P}bundles_served_total`, { caller: 'device', status_code: '304' })).toBe(1);
    expect(delta(`${P}bundles_signed_total`)).toBe(1);
    expect(delta(`${P}bundle_signing_duration_seconds_count`)).toBe(1);

    // One append per command that recorded events: issue, acknowledge, request, accept.
    expect(delta(`${P}event_store_append_duration_seconds_count`)).toBe(4);
    expect(after.declares(`${P}event_store_errors_total`, 'counter')).toBe(true);

    // The device holds a bundle listing a key revoked since: lagging and exposed, for seconds.
    expect(after.value(`${P}devices_lagging`)).toBe(1);
    expect(after.value(`${P}devices_exposed_to_revoked_keys`)).toBe(1);
    const exposedFor = after.value(`${P}revoked_key_exposure_oldest_seconds`);
    expect(exposedFor).toBeGreaterThanOrEqual(0);
    expect(exposedFor).toBeLessThan(60);

    // Three device proofs remembered (pull, acknowledgement, pull), in a cache of the default size.
    expect(delta(`${P}device_replay_cache_entries`)).toBe(3);
    expect(after.value(`${P}device_replay_cache_capacity`)).toBe(200_000);

    // Read-model lag per projection, caught up (every command waited for its own write).
    for (const projection of ['batteries', 'device-sync', 'idempotency']) {
      expect(after.has(`${P}projection_lag_events`, { projection })).toBe(true);
      expect(after.value(`${P}projection_lag_events`, { projection })).toBe(0);
      expect(after.value(`${P}projection_lag_seconds`, { projection })).toBe(0);
    }

    // No rate-limit refusal here; the series exist from the start.
    expect(after.value(`${P}rate_limit_refusals_total`, { scope: 'address' })).toBe(0);
    // Process defaults.
    expect(after.has('process_cpu_user_seconds_total')).toBe(true);
    expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('serves the metrics port for GET /metrics only', async () => {
    const base = metricsUrl.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/v1/policy`)).status).toBe(404);
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
    expect((await fetch(metricsUrl, { method: 'HEAD' })).status).toBe(200);
  });

  it("on the API port, answers only the platform's oversight", async () => {
    expect((await app.request('GET', '/metrics')).status).toBe(401);
    const tenant = await app.request('GET', '/metrics', { as: cast.ownerA });
    expect(tenant.status).toBe(403);
    expect(tenant.body.code).toBe('metrics-forbidden');
    const auditor = await app.caller('ada', 'platform', ['auditor']);
    const answer = await app.request('GET', '/metrics', { as: auditor });
    expect(answer.status).toBe(200);
    expect(new Scrape(answer.text).declares(`${P}commands_total`, 'counter')).toBe(true);
    // Not part of the API contract.
    const document = await app.request('GET', '/docs/openapi.json');
    expect(Object.keys(document.body.paths)).not.toContain('/metrics');
  });
});

describe('metrics: rate-limit refusals', () => {
  it('counts a 429 on the scope it was counted on', async () => {
    const port = await freePort();
    const app = await TestApp.start({ METRICS_PORT: String(port), RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await app.request('GET', '/v1/policy')).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const scrape = new Scrape(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      expect(scrape.value(`${P}rate_limit_refusals_total`, { scope: 'address' })).toBe(1);
      expect(scrape.value(`${P}rate_limit_refusals_total`, { scope: 'person' })).toBe(0);
    } finally {
      await app.stop();
    }
  });

  it('registers nothing and opens no port without METRICS_PORT or METRICS_ON_API_PORT', async () => {
    const app = await TestApp.start();
    try {
      const caller = await app.caller('pat', 'platform', ['platform-admin']);
      expect((await app.request('GET', '/metrics', { as: caller })).status).toBe(404);
    } finally {
      await app.stop();
    }
  });
});
