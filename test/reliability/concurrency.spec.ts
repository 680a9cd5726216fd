import {
  holderKey,
  keyBody,
  printSummary,
  readStore,
  ReliabilityService,
  scaled,
  type ApiAnswer,
  type StoredEvent,
} from './support/harness';

/**
 * Hundreds of concurrent conflicting commands on one battery. The stream stays consistent
 * (revisions dense, no duplicate key id, at most one open transfer), the losers get 409, nothing is
 * lost or written twice, and retries with one Idempotency-Key append once, even concurrently.
 */

const CONCURRENT = scaled(100, 500);

describe('concurrency on one battery', () => {
  jest.setTimeout(scaled(60_000, 600_000));
  let service: ReliabilityService;
  const figures = {
    requests: 0,
    succeeded: 0,
    conflicts: 0,
    otherRefusals: 0,
    serverErrors: 0,
    lost: 0,
    duplicated: 0,
    failures: 0,
  };
  const failures: string[] = [];

  beforeAll(async () => {
    service = await ReliabilityService.start();
    await service.seed(['HOT-1', 'HOT-2', 'HOT-3', 'HOT-4', 'HOT-5']);
  });
  afterAll(async () => {
    figures.failures = failures.length;
    printSummary('concurrency', figures);
    await service?.stop();
  });

  const storeOf = (serial: string): StoredEvent[] =>
    readStore(service.dataDir).filter((event) => event.streamId === `battery-${serial}`);

  /** Fires every request at once (no client-side limit) and tallies the answers. */
  async function burst(requests: (() => Promise<ApiAnswer>)[]): Promise<ApiAnswer[]> {
    const answers = await Promise.all(requests.map((request) => request()));
    for (const answer of answers) {
      figures.requests++;
      if (answer.status >= 500) figures.serverErrors++;
      else if (answer.status === 409) figures.conflicts++;
      else if (answer.status >= 400) figures.otherRefusals++;
      else figures.succeeded++;
    }
    return answers;
  }

  function expectConsistent(serial: string, events: StoredEvent[]): void {
    const revisionsDense = events.every((event, i) => event.revision === i);
    const keyIds = events
      .filter((event) => event.type === 'KeyIssued')
      .map((event) => event.data.keyId);
    const ids = events.map((event) => event.id);
    if (!revisionsDense) failures.push(`${serial}: revisions not dense`);
    if (new Set(keyIds).size !== keyIds.length) failures.push(`${serial}: a key id issued twice`);
    if (new Set(ids).size !== ids.length) failures.push(`${serial}: an event id twice`);
    expect(revisionsDense).toBe(true);
    expect(new Set(keyIds).size).toBe(keyIds.length);
  }

  /** Every 2xx answer's events are in the store, and the store has nothing no answer claimed. */
  function expectExactlyAnswered(serial: string, answers: ApiAnswer[], before: number): void {
    const events = storeOf(serial);
    const stored = new Set(events.slice(before).map((event) => event.id));
    const answered = new Set(
      answers
        .filter((a) => a.status < 300)
        .flatMap((a) => a.body.events.map((event: { id: string }) => event.id)),
    );
    const lost = [...answered].filter((id) => !stored.has(id));
    const unclaimed = [...stored].filter((id) => !answered.has(id));
    figures.lost += lost.length;
    figures.duplicated += unclaimed.length;
    if (lost.length > 0)
      failures.push(`${serial}: answered events not in the store: ${lost.join(', ')}`);
    if (unclaimed.length > 0)
      failures.push(`${serial}: stored events no answer claimed: ${unclaimed.join(', ')}`);
    expect(lost).toEqual([]);
    expect(unclaimed).toEqual([]);
    expectConsistent(serial, events);
  }

  it(`issues ${CONCURRENT} keys at once on one battery: each success is exactly one event, revisions stay dense`, async () => {
    const before = storeOf('HOT-1').length;
    const answers = await burst(
      Array.from(
        { length: CONCURRENT },
        (_, i) => () =>
          service.request('POST', '/v1/batteries/HOT-1/keys', {
            as: 'ownerA',
            body: keyBody(`person-${i}`, holderKey(i), ['charge'], { keyId: `hot1-${i}` }),
          }),
      ),
    );
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    // Without If-Match a lost race is decided again; what still loses after five tries is a 409.
    for (const answer of answers) expect([201, 409]).toContain(answer.status);
    for (const answer of answers.filter((a) => a.status === 409))
      expect(answer.body.code).toBe('concurrency-conflict');
    expectExactlyAnswered('HOT-1', answers, before);
  });

  it(`${CONCURRENT} clients issue the same key id at once: one wins, the others get 409`, async () => {
    const before = storeOf('HOT-2').length;
    const answers = await burst(
      Array.from(
        { length: CONCURRENT },
        (_, i) => () =>
          service.request('POST', '/v1/batteries/HOT-2/keys', {
            as: 'ownerA',
            body: keyBody(`person-${i}`, holderKey(10_000 + i), ['charge'], { keyId: 'contested' }),
          }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status !== 201)) expect(answer.status).toBe(409);
    expectExactlyAnswered('HOT-2', answers, before);
  });

  it(`${CONCURRENT} clients decide on the same revision (If-Match): exactly one wins`, async () => {
    const battery = await service.request('GET', '/v1/batteries/HOT-3', { as: 'ownerA' });
    const etag = battery.headers.get('etag') as string;
    const before = storeOf('HOT-3').length;
    const answers = await burst(
      Array.from(
        { length: CONCURRENT },
        (_, i) => () =>
          service.request('POST', '/v1/batteries/HOT-3/keys', {
            as: 'ownerA',
            body: keyBody(`person-${i}`, holderKey(20_000 + i)),
            headers: { 'if-match': etag },
          }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const losers = answers.filter((a) => a.status !== 201);
    for (const answer of losers)
      expect(answer).toMatchObject({
        status: 409,
        body: {
          code: 'concurrency-conflict',
          currentRevision: Number(etag.replace(/\D/g, '')) + 1,
        },
      });
    expectExactlyAnswered('HOT-3', answers, before);
  });

  it(`${CONCURRENT} transfer requests at once open one transfer; then acceptances and cancellations race: one outcome`, async () => {
    const before = storeOf('HOT-4').length;
    const requests = await burst(
      Array.from(
        { length: CONCURRENT },
        (_, i) => () =>
          service.request('POST', '/v1/batteries/HOT-4/transfers', {
            as: 'ownerA',
            body: { toOwnerId: 'lessor-b', transferId: `t-${i}` },
          }),
      ),
    );
    const opened = requests.filter((a) => a.status === 201);
    expect(opened).toHaveLength(1);
    for (const answer of requests.filter((a) => a.status !== 201)) expect(answer.status).toBe(409);
    const transferId = opened[0].body.events[0].data.transferId;

    const half = Math.floor(CONCURRENT / 2);
    const outcomes = await burst([
      ...Array.from(
        { length: half },
        () => () =>
          service.request('POST', `/v1/batteries/HOT-4/transfers/${transferId}/accept`, {
            as: 'ownerB',
          }),
      ),
      ...Array.from(
        { length: CONCURRENT - half },
        () => () =>
          service.request('POST', `/v1/batteries/HOT-4/transfers/${transferId}/cancel`, {
            as: 'ownerA',
          }),
      ),
    ]);
    expect(outcomes.filter((a) => a.status === 200)).toHaveLength(1);
    for (const answer of outcomes.filter((a) => a.status !== 200))
      expect([404, 409]).toContain(answer.status);
    const events = storeOf('HOT-4');
    const ends = events.filter(
      (e) => e.type === 'OwnershipTransferred' || e.type === 'OwnershipTransferCancelled',
    );
    expect(ends).toHaveLength(1);
    const battery = await service.request('GET', '/v1/batteries/HOT-4', { as: 'platform' });
    expect(battery.body.openTransfer ?? null).toBeNull();
    expectExactlyAnswered('HOT-4', [...requests, ...outcomes], before);
  });

  it('retries with one Idempotency-Key, all at once and then again, append once and answer alike', async () => {
    const before = storeOf('HOT-5').length;
    // No keyId in the body: the service picks one, so a second append would show as a second key.
    const body = keyBody('ida', holderKey(30_000), ['diagnostics.read']);
    const send = () =>
      service.request('POST', '/v1/batteries/HOT-5/keys', {
        as: 'ownerA',
        body,
        headers: { 'idempotency-key': 'retry-me' },
      });
    const answers = await burst([...Array.from({ length: CONCURRENT }, () => send)]);
    const again = await burst(Array.from({ length: 5 }, () => send));
    const all = [...answers, ...again];
    for (const answer of all) expect(answer.status).toBe(201);
    const events = storeOf('HOT-5').slice(before);
    expect(events.map((e) => e.type)).toEqual(['KeyIssued']);
    const storedKeyId = events[0].data.keyId;
    for (const answer of all) {
      expect(answer.body.events.map((e: { id: string }) => e.id)).toEqual([events[0].id]);
      expect(answer.body.events[0].data.keyId).toBe(storedKeyId);
    }
    expect(all.filter((a) => a.body.replayed === false)).toHaveLength(1);

    // The same key with another body is refused, not taken for a retry.
    const reused = await burst(
      Array.from(
        { length: 10 },
        (_, i) => () =>
          service.request('POST', '/v1/batteries/HOT-5/keys', {
            as: 'ownerA',
            body: keyBody(`other-${i}`, holderKey(30_001 + i)),
            headers: { 'idempotency-key': 'retry-me' },
          }),
      ),
    );
    for (const answer of reused)
      expect(answer).toMatchObject({ status: 422, body: { code: 'idempotency-key-reused' } });
    expect(storeOf('HOT-5').slice(before)).toHaveLength(1);
    expectConsistent('HOT-5', storeOf('HOT-5'));
  });
});
