import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { TestApp, type Caller } from '../support/test-app';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';
import type { ParsedJson } from '../support/parsed-json';

/** One request the receiver got, as it came over the wire. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A webhook receiver on 127.0.0.1, as a party would run one: records every request and answers
 * what the test says per path (200 by default; a list of statuses answered in turn first).
 */
class Receiver {
  readonly received: Received[] = [];
  private readonly scripted = new Map<string, number[]>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        this.received.push({
          path,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        const status = this.scripted.get(path)?.shift() ?? 200;
        response.writeHead(status).end();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await new Promise((resolve) => this.server?.once('listening', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(path: string, statuses: number[]): void {
    this.scripted.set(path, [...statuses]);
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  /** Waits (bounded) until `count` requests reached `path`. */
  async waitFor(path: string, count: number, timeoutMs = 5_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.at(path).length < count) {
      if (Date.now() > deadline)
        throw new Error(`${path} got ${this.at(path).length} requests, expected ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.at(path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** Verifies with the Standard Webhooks library, exactly as a receiver would; throws on a bad signature. */
function verified(secret: string, request: Received): ParsedJson {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

describe('webhooks', () => {
  let app: TestApp;
  let cast: Cast;
  const receiver = new Receiver();

  const register = (as: Caller, body: Record<string, unknown>, headers = {}) =>
    app.request('POST', '/v1/webhooks', { as, body, headers });

  beforeAll(async () => {
    await receiver.start();
    app = await TestApp.start({
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_BASE_MS: '150',
      WEBHOOK_MAX_ATTEMPTS: '4',
      WEBHOOK_EXPOSURE_SCAN_SECONDS: '1',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    cast = await registerCast(app);
  });
  afterAll(async () => {
    await app.stop();
    await receiver.stop();
  });

  describe('registration', () => {
    it('answers with a whsec_ secret once; lists the endpoint without it; records who registered it', async () => {
      const answer = await register(
        cast.ownerB,
        {
          url: `${receiver.url}/listed`,
          kinds: ['transfer.requested'],
          description: 'back office',
        },
        { 'idempotency-key': 'hook-listed' },
      );
      expect(answer.status).toBe(201);
      const { endpoint } = answer.body;
      expect(endpoint).toMatchObject({
        partyId: 'lessor-b',
        url: `${receiver.url}/listed`,
        kinds: ['transfer.requested'],
        description: 'back office',
        revokedKeyLiveAfterHours: 24,
      });
      expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      // The event (and so the audit view and the change feed) never holds the secret.
      expect(JSON.stringify(answer.body.events)).not.toContain(endpoint.secret.slice(6));

      const retry = await register(
        cast.ownerB,
        {
          url: `${receiver.url}/listed`,
          kinds: ['transfer.requested'],
          description: 'back office',
        },
        { 'idempotency-key': 'hook-listed' },
      );
      expect(retry.body).toMatchObject({ replayed: true, endpoint: { id: endpoint.id } });

      const list = await app.request('GET', '/v1/webhooks', { as: cast.ownerB });
      expect(list.status).toBe(200);
      expect(list.body.items.map((item: ParsedJson) => item.id)).toEqual([endpoint.id]);
      expect(JSON.stringify(list.body)).not.toContain('whsec_');

      const history = await app.request('GET', '/v1/audit?party=lessor-b', { as: cast.ownerB });
      expect(history.body.items).toEqual([
        expect.objectContaining({
          type: 'WebhookEndpointRegistered',
          actor: { personId: 'bob', partyId: 'lessor-b', role: 'owner-admin' },
        }),
      ]);
      expect(JSON.stringify(history.body)).not.toContain(endpoint.secret.slice(6));
    });

    it("refuses other roles (403), unlisted hosts and unsafe URLs (422), and hides another party's endpoints (404)", async () => {
      const driver = await app.caller('dan', 'courier', ['driver']);
      const technicianOfLessor = await app.caller('ted', 'lessor-a', ['fleet-finance']);
      for (const who of [driver, technicianOfLessor]) {
        const refused = await register(who, {
          url: `${receiver.url}/x`,
          kinds: ['theft.reported'],
        });
        expect(refused.status).toBe(403);
        expect(refused.body.code).toBe('not-party-administrator');
      }
      const cases: [string, string][] = [
        ['https://hooks.attacker.example/x', 'webhook-host-not-allowed'],
        ['https://169.254.169.254/latest/meta-data', 'webhook-host-not-allowed'],
        ['https://10.0.0.7/x', 'webhook-host-not-allowed'],
        ['http://10.0.0.7/x', 'webhook-url-refused'],
        ['http://user:pw@127.0.0.1/x', 'webhook-url-refused'],
        ['ftp://127.0.0.1/x', 'webhook-url-refused'],
        ['http://[::1]:9/x', 'webhook-host-not-allowed'],
        ['not a url', 'webhook-url-refused'],
      ];
      for (const [url, code] of cases) {
        const answer = await register(cast.ownerA, { url, kinds: ['theft.reported'] });
        expect({ url, status: answer.status, code: answer.body.code }).toEqual({
          url,
          status: 422,
          code,
        });
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
      }
      const unknownField = await register(cast.ownerA, {
        url: `${receiver.url}/x`,
        kinds: ['theft.reported'],
        secret: 'mine',
      });
      expect(unknownField.status).toBe(400);
      const unknownKind = await register(cast.ownerA, { url: `${receiver.url}/x`, kinds: ['all'] });
      expect(unknownKind.status).toBe(400);

      const ownB = (await app.request('GET', '/v1/webhooks', { as: cast.ownerB })).body.items[0];
      const peek = await app.request('GET', `/v1/webhooks/${ownB.id}/deliveries`, {
        as: cast.ownerA,
      });
      expect(peek.status).toBe(404);
      const remove = await app.request('DELETE', `/v1/webhooks/${ownB.id}`, { as: cast.ownerA });
      expect(remove.status).toBe(404);
      const listOther = await app.request('GET', '/v1/webhooks?party=lessor-b', {
        as: cast.ownerA,
      });
      expect(listOther.status).toBe(403);
    });
  });

  describe('deliveries', () => {
    it('delivers each event once per endpoint with a valid Standard Webhooks signature, and lists the outcome', async () => {
      const hook = await register(cast.ownerB, {
        url: `${receiver.url}/lessor-b`,
        kinds: ['transfer.requested', 'approval.waiting'],
      });
      expect(hook.status).toBe(201);
      const { id, secret } = hook.body.endpoint;
      await provision(app, cast, 'HOOK-1');
      const transfer = await app.request('POST', '/v1/batteries/HOOK-1/transfers', {
        as: cast.ownerA,
        body: { toOwnerId: 'lessor-b', transferId: 'sale-1' },
      });
      expect(transfer.status).toBe(201);

      const requests = await receiver.waitFor('/lessor-b', 2);
      await settle();
      expect(receiver.at('/lessor-b')).toHaveLength(2);
      const payloads = requests.map((request) => verified(secret, request));
      expect(payloads.map((p) => p.type).sort()).toEqual([
        'approval.waiting',
        'transfer.requested',
      ]);
      const requested = payloads.find((p) => p.type === 'transfer.requested');
      expect(requested.data).toMatchObject({
        serial: 'HOOK-1',
        transferId: 'sale-1',
        fromOwnerId: 'lessor-a',
        toOwnerId: 'lessor-b',
        event: { type: 'OwnershipTransferRequested', position: transfer.body.position },
      });
      const waiting = payloads.find((p) => p.type === 'approval.waiting');
      expect(waiting.data).toMatchObject({
        proposalId: 'sale-1',
        proposalKind: 'ownership-transfer',
        rolesWanted: [{ relationship: 'receiving-lessor', role: 'owner-admin' }],
      });
      const ids = requests.map((request) => request.headers['webhook-id']);
      expect(new Set(ids).size).toBe(2);
      expect(requests[0].headers['user-agent']).toBe('battery-keys-webhooks/1');
      // Another endpoint's secret does not verify it.
      expect(() =>
        verified(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, requests[0]),
      ).toThrow();

      const deliveries = await app.request('GET', `/v1/webhooks/${id}/deliveries`, {
        as: cast.ownerB,
      });
      expect(deliveries.status).toBe(200);
      expect(deliveries.body.items).toHaveLength(2);
      for (const delivery of deliveries.body.items) {
        expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200 });
        expect(ids).toContain(delivery.deliveryId);
      }
    });

    it('tells the parties of a stolen battery', async () => {
      const hook = await register(cast.ownerA, {
        url: `${receiver.url}/lessor-a`,
        kinds: ['theft.reported'],
      });
      await provision(app, cast, 'HOOK-2');
      await app.request('POST', '/v1/batteries/HOOK-2/theft-report', {
        as: cast.ownerA,
        body: { reason: 'gone from the depot' },
      });
      const [theft] = await receiver.waitFor('/lessor-a', 1);
      expect(verified(hook.body.endpoint.secret, theft)).toMatchObject({
        type: 'theft.reported',
        data: { serial: 'HOOK-2', reportedByPartyId: 'lessor-a' },
      });
    });

    it('retries a failing receiver with growing delays and the same webhook-id, then succeeds', async () => {
      receiver.script('/flaky', [500, 503]);
      const hook = await register(cast.ownerB, {
        url: `${receiver.url}/flaky`,
        kinds: ['transfer.requested'],
      });
      await provision(app, cast, 'HOOK-3');
      await app.request('POST', '/v1/batteries/HOOK-3/transfers', {
        as: cast.ownerA,
        body: { toOwnerId: 'lessor-b', transferId: 'sale-3' },
      });
      const attempts = await receiver.waitFor('/flaky', 3, 10_000);
      await settle();
      expect(receiver.at('/flaky')).toHaveLength(3);
      expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
      for (const attempt of attempts) verified(hook.body.endpoint.secret, attempt);
      // Backoff: 150 ms, then 600 ms (base × 4).
      expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(140);
      expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(590);
      const [delivery] = (
        await app.request('GET', `/v1/webhooks/${hook.body.endpoint.id}/deliveries`, {
          as: cast.ownerB,
        })
      ).body.items;
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    });

    it('gives up after the last attempt and marks the delivery failed; a slow endpoint delays no other', async () => {
      receiver.script('/down', [500, 500, 500, 500, 500]);
      const down = await register(cast.ownerB, {
        url: `${receiver.url}/down`,
        kinds: ['transfer.requested'],
      });
      await provision(app, cast, 'HOOK-4');
      const before = receiver.at('/lessor-b').length;
      await app.request('POST', '/v1/batteries/HOOK-4/transfers', {
        as: cast.ownerA,
        body: { toOwnerId: 'lessor-b', transferId: 'sale-4' },
      });
      // The healthy endpoint gets its deliveries while the other keeps failing.
      await receiver.waitFor('/lessor-b', before + 2);
      expect(receiver.at('/down').length).toBeLessThan(4);
      await receiver.waitFor('/down', 4, 10_000);
      await settle();
      const [delivery] = (
        await app.request('GET', `/v1/webhooks/${down.body.endpoint.id}/deliveries`, {
          as: cast.ownerB,
        })
      ).body.items;
      expect(delivery).toMatchObject({
        status: 'failed',
        attempts: 4,
        lastStatus: 500,
        lastError: 'http-status',
        nextAttemptAt: null,
      });
      expect(receiver.at('/down')).toHaveLength(4);
    });

    it('sends nothing more to a deleted endpoint', async () => {
      const hook = await register(cast.ownerB, {
        url: `${receiver.url}/deleted`,
        kinds: ['transfer.requested'],
      });
      const removed = await app.request('DELETE', `/v1/webhooks/${hook.body.endpoint.id}`, {
        as: cast.ownerB,
      });
      expect(removed.status).toBe(200);
      await provision(app, cast, 'HOOK-5');
      const before = receiver.at('/lessor-b').length;
      await app.request('POST', '/v1/batteries/HOOK-5/transfers', {
        as: cast.ownerA,
        body: { toOwnerId: 'lessor-b', transferId: 'sale-5' },
      });
      await receiver.waitFor('/lessor-b', before + 2);
      await settle();
      expect(receiver.at('/deleted')).toHaveLength(0);
    });

    it('reports a revoked key still live on a device after the endpoint’s hours, once', async () => {
      const hook = await register(cast.ownerA, {
        url: `${receiver.url}/exposure`,
        kinds: ['revoked-key.still-live'],
        revokedKeyLiveAfterHours: 0,
      });
      await provision(app, cast, 'HOOK-6');
      const issued = await issueKey(
        app,
        cast.ownerA,
        'HOOK-6',
        { personId: 'tom', partyId: 'workshop' },
        ['diagnostics.read'],
      );
      expect(issued.status).toBe(201);
      const keyId = issued.body.events[0].data.keyId;
      const revoked = await app.request('POST', `/v1/batteries/HOOK-6/keys/${keyId}/revoke`, {
        as: cast.ownerA,
        body: { reason: 'left the company' },
      });
      expect(revoked.status).toBe(200);
      const [exposure] = await receiver.waitFor('/exposure', 1, 5_000);
      expect(verified(hook.body.endpoint.secret, exposure)).toMatchObject({
        type: 'revoked-key.still-live',
        data: { serial: 'HOOK-6', keyId, applied: null, afterHours: 0 },
      });
      // Scanned again every second: still one delivery for this battery and key.
      await new Promise((resolve) => setTimeout(resolve, 2_200));
      expect(receiver.at('/exposure')).toHaveLength(1);
    });
  });
});

describe('webhooks on a service that had none', () => {
  let app: TestApp;
  let cast: Cast;
  const receiver = new Receiver();

  beforeAll(async () => {
    await receiver.start();
    app = await TestApp.start({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0' });
    cast = await registerCast(app);
  });
  afterAll(async () => {
    await app.stop();
    await receiver.stop();
  });

  // Over HTTP, what the dispatcher's step over the history before the first registration must keep:
  // nothing recorded before it is sent, and the first event after it is. Where the checkpoint moves
  // without reading is webhook-dispatcher.spec.ts's to check (timing decides it here).
  it('sends nothing recorded before the first endpoint existed, and the first event after it', async () => {
    await provision(app, cast, 'HOOK-LATE');
    const early = await app.request('POST', '/v1/batteries/HOOK-LATE/transfers', {
      as: cast.ownerA,
      body: { toOwnerId: 'lessor-b', transferId: 'early' },
    });
    expect(early.status).toBe(201);
    await app.request('POST', '/v1/batteries/HOOK-LATE/transfers/early/cancel', {
      as: cast.ownerA,
    });
    await settle();

    const hook = await app.request('POST', '/v1/webhooks', {
      as: cast.ownerB,
      body: { url: `${receiver.url}/late`, kinds: ['transfer.requested'] },
    });
    expect(hook.status).toBe(201);
    const late = await app.request('POST', '/v1/batteries/HOOK-LATE/transfers', {
      as: cast.ownerA,
      body: { toOwnerId: 'lessor-b', transferId: 'late' },
    });
    expect(late.status).toBe(201);

    const [request] = await receiver.waitFor('/late', 1);
    await settle();
    expect(receiver.at('/late')).toHaveLength(1);
    expect(verified(hook.body.endpoint.secret, request).data).toMatchObject({
      transferId: 'late',
      event: { position: late.body.position },
    });
  });
});
