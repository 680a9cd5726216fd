import { TestApp } from '../support/test-app';

describe('rate limit', () => {
  it('answers 429 problem+json with Retry-After past the limit, per caller, and never limits /health', async () => {
    const app = await TestApp.start({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const alice = await app.caller('alice', 'lessor-a', ['owner-admin']);
      const bob = await app.caller('bob', 'lessor-b', ['owner-admin']);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++)
        statuses.push((await app.request('GET', '/v1/parties', { as: alice })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const limited = await app.request('GET', '/v1/parties', { as: alice });
      expect(limited.headers.get('content-type')).toContain('application/problem+json');
      expect(limited.headers.get('retry-after')).toBeTruthy();
      expect(limited.body).toMatchObject({ status: 429, code: 'too-many-requests' });
      expect((await app.request('GET', '/v1/parties', { as: bob })).status).toBe(200);
      for (let i = 0; i < 10; i++) expect((await app.request('GET', '/health')).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
