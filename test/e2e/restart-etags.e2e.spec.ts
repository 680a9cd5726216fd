import { registerCast, provision } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';

const FLEET = 1000;
const serialOf = (i: number) => `SN-RESTART-${String(i).padStart(4, '0')}`;

async function inBatches<T>(
  count: number,
  size: number,
  run: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += size) {
    const batch = Array.from({ length: Math.min(size, count - start) }, (_, k) => run(start + k));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

/**
 * Issue 11: a restart re-signed every bundle with a new `iat`, so each device's If-None-Match
 * missed once after every deploy. The issue time now follows from the state alone.
 */
describe('a restarted service', () => {
  let app: TestApp;

  afterAll(async () => app.stop());

  it(`answers every one of ${FLEET} devices' next pull with 304`, async () => {
    app = await TestApp.start({ RATE_LIMIT_PER_MINUTE: '0' });
    const cast = await registerCast(app);
    await inBatches(FLEET, 25, (i) => provision(app, cast, serialOf(i)));
    const pull = (i: number, etag?: string) =>
      app.request('GET', `/v1/batteries/${serialOf(i)}/bundle`, {
        as: cast.ownerA,
        headers: etag ? { 'if-none-match': etag } : {},
      });
    const held = await inBatches(FLEET, 50, async (i) => {
      const first = await pull(i);
      expect(first.status).toBe(200);
      return first.headers.get('etag') as string;
    });

    await app.restart();

    const statuses = await inBatches(FLEET, 50, async (i) => (await pull(i, held[i])).status);
    expect(statuses.filter((status) => status !== 304)).toEqual([]);
  }, 120_000);
});
