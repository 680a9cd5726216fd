import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';
import { BUNDLE_ROUTE } from '../../src/bundles/http/unchanged-pull';
import { TestApp, type Caller } from '../support/test-app';

/**
 * An unchanged pull (304) is answered from a Fastify hook when every check passes at once
 * (src/bundles/http/unchanged-pull.ts); X-Min-Position sends the same request through the Nest
 * route. Both must give the same answer to the same caller, and neither may answer a caller the
 * route would refuse.
 */
describe('an unchanged bundle pull answered before Nest', () => {
  let app: TestApp;
  let cast: Cast;
  const SERIAL = 'SN-SHORTCUT';

  beforeAll(async () => {
    app = await TestApp.start({ METRICS_ON_API_PORT: 'true' });
    cast = await registerCast(app);
    await provision(app, cast, SERIAL);
  });
  afterAll(async () => app.stop());

  const pull = (as: Caller, headers: Record<string, string> = {}) =>
    app.request('GET', `/v1/batteries/${SERIAL}/bundle`, { as, headers });
  /** Every header but those that differ between any two answers (date, request id). */
  const comparable = (headers: Headers) =>
    Object.fromEntries(
      [...headers.entries()].filter(([name]) => !['date', 'x-request-id'].includes(name)),
    );

  it('answers with the route’s own 304: the same status and headers, and a request id', async () => {
    const first = await pull(cast.ownerA);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') as string;

    const viaRoute = await pull(cast.ownerA, { 'if-none-match': etag, 'x-min-position': '1' });
    const viaShortcut = await pull(cast.ownerA, { 'if-none-match': etag });
    expect(viaRoute.status).toBe(304);
    expect(viaShortcut.status).toBe(304);
    expect(comparable(viaShortcut.headers)).toEqual(comparable(viaRoute.headers));
    expect(viaShortcut.headers.get('etag')).toBe(etag);
    expect(viaShortcut.headers.get('x-request-id')).toMatch(/\S/);
    expect(viaShortcut.text).toBe('');
  });

  it('never answers a caller the route refuses, even one whose token it verified lately', async () => {
    const etag = (await pull(cast.ownerA)).headers.get('etag') as string;
    for (const stranger of [cast.ownerB, cast.outsider]) {
      // The route verifies the stranger's token (then refuses): it is one verified lately.
      expect((await pull(stranger)).status).toBe(404);
      const answer = await pull(stranger, { 'if-none-match': etag });
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ code: 'battery-not-found' });
    }
    const expired = await app.caller('alice', 'lessor-a', ['owner-admin'], { ttlSeconds: -60 });
    expect((await pull(expired, { 'if-none-match': etag })).status).toBe(401);
  });

  it('lets a changed bundle through to the route: the ETag held is no longer current', async () => {
    const held = (await pull(cast.ownerA)).headers.get('etag') as string;
    const issued = await issueKey(
      app,
      cast.ownerA,
      SERIAL,
      { personId: 'tom', partyId: 'workshop' },
      ['charge'],
    );
    expect(issued.status).toBe(201);
    const changed = await pull(cast.ownerA, { 'if-none-match': held });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(held);
    const current = changed.headers.get('etag') as string;
    expect((await pull(cast.ownerA, { 'if-none-match': current })).status).toBe(304);
  });

  it('is counted like any pull: the request histogram and bundles served, by route template', async () => {
    const auditor = await app.caller('audrey', 'platform', ['auditor']);
    const scrape = async () => (await app.request('GET', '/metrics', { as: auditor })).text;
    const served = async () => {
      const line = (await scrape())
        .split('\n')
        .find((row) =>
          row.startsWith('battery_keys_bundles_served_total{caller="person",status_code="304"}'),
        );
      return Number(line?.split(' ').pop());
    };
    const etag = (await pull(cast.ownerA)).headers.get('etag') as string;
    const before = await served();
    for (let i = 0; i < 3; i++)
      expect((await pull(cast.ownerA, { 'if-none-match': etag })).status).toBe(304);
    expect((await served()) - before).toBe(3);
    // Fastify names the route as the shortcut expects (BUNDLE_ROUTE): else it would never answer.
    expect(await scrape()).toContain(
      `battery_keys_http_request_duration_seconds_count{method="GET",route="${BUNDLE_ROUTE}",status_code="304"}`,
    );
  });
});
