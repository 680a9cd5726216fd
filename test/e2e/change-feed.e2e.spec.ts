import { TestApp, type Caller } from '../support/test-app';
import {
  HARD_LIMITS,
  issueKey,
  provision,
  registerCast,
  type Cast,
} from '../support/fleet-scenario';
import { newPublicJwk } from '../support/test-app';
import type { ParsedJson } from '../support/parsed-json';

/** One SSE message as a client parses it (WHATWG HTML §9.2.6). */
interface FeedMessage {
  id: string;
  event: string;
  data: ParsedJson;
}

/**
 * A fetch()-based SSE client, as the console uses it: the token in the Authorization header,
 * messages parsed from the byte stream, comments (heartbeats) counted apart.
 */
class FeedClient {
  readonly messages: FeedMessage[] = [];
  comments: string[] = [];
  status = 0;
  contentType = '';
  ended = false;
  private readonly abort = new AbortController();
  private reading: Promise<void> = Promise.resolve();

  static async open(
    app: TestApp,
    as: Caller,
    options: { lastEventId?: string; after?: string } = {},
  ): Promise<FeedClient> {
    const client = new FeedClient();
    const query = options.after === undefined ? '' : `?after=${options.after}`;
    const response = await fetch(`${app.baseUrl}/v1/changes${query}`, {
      headers: {
        authorization: `Bearer ${as.token}`,
        accept: 'text/event-stream',
        ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
      },
      signal: client.abort.signal,
    });
    client.status = response.status;
    client.contentType = response.headers.get('content-type') ?? '';
    if (response.ok && response.body) client.reading = client.read(response.body);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          this.parse(block);
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
  }

  private parse(block: string): void {
    const message: Partial<FeedMessage> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) message.id = line.slice(4);
      else if (line.startsWith('event: ')) message.event = line.slice(7);
      else if (line.startsWith('data: ')) message.data = JSON.parse(line.slice(6));
    }
    if (message.data !== undefined) this.messages.push(message as FeedMessage);
  }

  /** Waits (bounded) until `count` messages arrived. */
  async waitForCount(count: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline || this.ended)
        throw new Error(`feed has ${this.messages.length} messages, expected ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }
}

/**
 * The audit view's answer for a caller, assembled from the audit endpoints themselves: what the
 * caller's party did (GET /v1/audit?party=) and the whole history of each battery it may read.
 * The feed must carry exactly these events (same rule, same order).
 */
async function auditViewOf(app: TestApp, as: Caller, serials: string[]): Promise<string[]> {
  const positions = new Set<string>();
  const collect = async (path: string) => {
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await app.request(
        'GET',
        `${path}${separator}limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        { as },
      );
      if (page.status === 404) return;
      expect(page.status).toBe(200);
      for (const item of page.body.items) positions.add(item.position);
      cursor = page.body.nextCursor;
    } while (cursor);
  };
  await collect(`/v1/audit?party=${as.partyId}`);
  for (const serial of serials) {
    await collect(`/v1/batteries/${serial}/history`);
    await collect(`/v1/devices/${serial}/history`);
  }
  return [...positions].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

async function provisionFor(app: TestApp, cast: Cast, serial: string, ownerId: string) {
  const response = await app.request('POST', '/v1/batteries', {
    as: cast.provisioner,
    body: {
      serial,
      model: 'T2-48V',
      chemistry: 'NMC',
      manufacturerId: 'oem',
      firstOwnerId: ownerId,
      hardLimits: HARD_LIMITS,
      deviceKey: (await newPublicJwk('ES256')).publicJwk,
    },
  });
  expect(response.status).toBe(201);
}

/** Waits a little and checks nothing more arrived: "exactly", not "at least". */
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('change feed (GET /v1/changes)', () => {
  let app: TestApp;
  let cast: Cast;
  const feeds: FeedClient[] = [];
  const open = async (...args: Parameters<typeof FeedClient.open>) => {
    const feed = await FeedClient.open(...args);
    feeds.push(feed);
    return feed;
  };

  beforeAll(async () => {
    app = await TestApp.start({ RATE_LIMIT_PER_MINUTE: '0' });
    cast = await registerCast(app);
    await provision(app, cast, 'FEED-A1');
    await provisionFor(app, cast, 'FEED-B1', 'lessor-b');
    await issueKey(app, cast.ownerA, 'FEED-A1', { personId: 'tom', partyId: 'workshop' }, [
      'diagnostics.read',
    ]);
    await issueKey(app, cast.ownerB, 'FEED-B1', { personId: 'tim', partyId: 'workshop' }, [
      'diagnostics.read',
    ]);
  });
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((feed) => feed.close()));
  });
  afterAll(async () => {
    await app.stop();
  });

  it('after a disconnect, Last-Event-ID resumes with exactly the events missed: nothing lost, nothing doubled', async () => {
    const before = await auditViewOf(app, cast.ownerA, ['FEED-A1']);
    expect(before.length).toBeGreaterThanOrEqual(2);

    const first = await open(app, cast.ownerA, { after: '0' });
    expect(first.status).toBe(200);
    expect(first.contentType).toBe('text/event-stream; charset=utf-8');
    await first.waitForCount(before.length);
    expect(first.messages.map((m) => m.id)).toEqual(before);
    // The client processed two messages when its connection broke.
    const lastProcessed = first.messages[1].id;
    await first.close();

    // Meanwhile: more of lessor A's battery, and lessor B's, which A must not see.
    await issueKey(app, cast.ownerA, 'FEED-A1', { personId: 'tess', partyId: 'workshop' }, [
      'faults.reset',
    ]);
    await app.request('POST', '/v1/batteries/FEED-A1/leases', {
      as: cast.ownerA,
      body: { operatorId: 'courier', leaseId: 'lease-feed' },
    });
    await issueKey(app, cast.ownerB, 'FEED-B1', { personId: 'tina', partyId: 'workshop' }, [
      'faults.reset',
    ]);
    const after = await auditViewOf(app, cast.ownerA, ['FEED-A1']);
    const missed = after.filter((position) => BigInt(position) > BigInt(lastProcessed));
    expect(missed.length).toBe(after.length - 2);

    const resumed = await open(app, cast.ownerA, { lastEventId: lastProcessed, after: '0' });
    await resumed.waitForCount(missed.length);
    await settle();
    expect(resumed.messages.map((m) => m.id)).toEqual(missed);
    expect(new Set(resumed.messages.map((m) => m.id)).size).toBe(resumed.messages.length);

    // Each message: id = position, event = type, data = the audit facts of the event.
    const lease = resumed.messages.find((m) => m.event === 'LeaseAssigned');
    expect(lease?.data).toMatchObject({
      position: lease?.id,
      stream: 'battery-FEED-A1',
      serial: 'FEED-A1',
      type: 'LeaseAssigned',
      data: { operatorId: 'courier', leaseId: 'lease-feed' },
      actor: { personId: 'alice', partyId: 'lessor-a', role: 'owner-admin' },
      policyVersion: 1,
    });
    expect(typeof lease?.data.revision).toBe('number');
    expect(typeof lease?.data.occurredAt).toBe('string');
  });

  it('a tenant sees only its own batteries and its own people’s acts, never another tenant’s', async () => {
    const expected = await auditViewOf(app, cast.ownerB, ['FEED-B1']);
    const feed = await open(app, cast.ownerB, { after: '0' });
    await feed.waitForCount(expected.length);
    await settle();
    expect(feed.messages.map((m) => m.id)).toEqual(expected);
    for (const message of feed.messages) {
      expect(message.data.serial === 'FEED-B1' || message.data.actor.partyId === 'lessor-b').toBe(
        true,
      );
      expect(message.data.stream).not.toBe('battery-FEED-A1');
    }
    // Nothing at all for a party with no battery and no acts: not even a count.
    const outsider = await open(app, cast.outsider, { after: '0' });
    await settle();
    expect(outsider.status).toBe(200);
    expect(outsider.messages).toEqual([]);
  });

  it("the platform's oversight sees every event; a tenant's self-given auditor role does not", async () => {
    const all = (await app.request('GET', '/v1/audit?limit=500', { as: cast.platform })).body
      .items as { position: string }[];
    const platform = await open(app, cast.platform, { after: '0' });
    await platform.waitForCount(all.length);
    expect(platform.messages.map((m) => m.id)).toEqual(all.map((entry) => entry.position));

    const fakeAuditor = await app.caller('eve', 'lessor-b', ['auditor', 'platform-admin']);
    const tenant = await open(app, fakeAuditor, { after: '0' });
    await tenant.waitForCount(1);
    await settle();
    expect(tenant.messages.every((m) => m.data.stream !== 'battery-FEED-A1')).toBe(true);
    expect(tenant.messages.length).toBeLessThan(all.length);
  });

  it('follows live events after catching up, in order, from ?after=now', async () => {
    const feed = await open(app, cast.ownerA, { after: 'now' });
    expect(feed.comments[0] ?? '').toMatch(/^$|feed after \d+/);
    await issueKey(app, cast.ownerA, 'FEED-A1', { personId: 'liv', partyId: 'workshop' }, [
      'diagnostics.read',
    ]);
    await feed.waitForCount(1);
    expect(feed.messages[0]).toMatchObject({ event: 'KeyIssued', data: { serial: 'FEED-A1' } });
    expect(feed.comments.some((comment) => /^feed after \d+$/.test(comment))).toBe(true);
  });

  it('refuses a bad Last-Event-ID or ?after= with 400 problem+json, and no token with 401', async () => {
    for (const headers of [
      { 'last-event-id': 'abc' },
      { 'last-event-id': '-1' },
      { 'last-event-id': '99999999999999999999' },
    ]) {
      const response = await app.request('GET', '/v1/changes', { as: cast.ownerA, headers });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.code).toBe('invalid-request');
    }
    for (const query of ['after=1e3', 'after=-1', 'after=later', 'from=0', 'access_token=x']) {
      const response = await app.request('GET', `/v1/changes?${query}`, { as: cast.ownerA });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const anonymous = await app.request('GET', '/v1/changes');
    expect(anonymous.status).toBe(401);
  });

  it('limits open feeds per person (429), and frees the slot when a feed closes', async () => {
    const open5 = await Promise.all(
      Array.from({ length: 5 }, () => open(app, cast.fleetManager, { after: 'now' })),
    );
    expect(open5.map((feed) => feed.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await app.request('GET', '/v1/changes', { as: cast.fleetManager });
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('too-many-feeds');
    await open5[0].close();
    let again: FeedClient | undefined;
    for (let attempt = 0; attempt < 50 && again?.status !== 200; attempt++) {
      again = await open(app, cast.fleetManager, { after: 'now' });
      if (again.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(again?.status).toBe(200);
  });
});

describe('change feed at shutdown', () => {
  it('an open feed does not hold the stop: the server ends it and closes promptly', async () => {
    const app = await TestApp.start();
    try {
      const platform = await app.caller('pat', 'platform', ['platform-admin']);
      const feed = await FeedClient.open(app, platform, { after: '0' });
      expect(feed.status).toBe(200);
      const started = Date.now();
      await app.stop({ keepData: true });
      expect(Date.now() - started).toBeLessThan(3_000);
      const deadline = Date.now() + 2_000;
      while (!feed.ended && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(feed.ended).toBe(true);
    } finally {
      await app.stop();
    }
  });
});
