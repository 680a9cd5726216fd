import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TestApp } from '../support/test-app';

/**
 * The embedded local issuer's development sign-in: `npm run token -- … --console` prints a link
 * with a one-time code; POST /console/sign-in redeems it once for a token the API accepts.
 */
describe('console sign-in links of the local issuer', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(async () => {
    await app.stop();
  });

  const mintLink = () =>
    execFileSync(
      process.execPath,
      [
        join(__dirname, '..', '..', 'node_modules', 'ts-node', 'dist', 'bin.js'),
        '--transpile-only',
        join(__dirname, '..', '..', 'src', 'cli', 'mint-token.ts'),
        ...['--person', 'alice', '--party', 'lessor-a', '--role', 'owner-admin', '--console'],
        ...['--url', app.baseUrl],
      ],
      { env: { ...process.env, DATA_DIR: app.dataDir }, encoding: 'utf8' },
    ).trim();

  it('prints a link whose code is redeemed once for a token of that person', async () => {
    const link = mintLink();
    expect(link).toMatch(new RegExp(`^${app.baseUrl}/console/#signin=[A-Za-z0-9_-]{43}$`));
    const code = link.split('#signin=')[1];

    const first = await app.request('POST', '/console/sign-in', { body: { code } });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toMatchObject({
      personId: 'alice',
      partyId: 'lessor-a',
      roles: ['owner-admin'],
    });
    const token = (first.body as { accessToken: string }).accessToken;
    const pending = await app.request('GET', '/v1/proposals/pending', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(pending.status).toBe(200);

    const again = await app.request('POST', '/console/sign-in', { body: { code } });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'sign-in-code-refused' });
  });

  it('refuses what is not a code as a problem, not a 500', async () => {
    for (const body of [{ code: '../x' }, { code: 'a'.repeat(43), extra: 1 }, {}]) {
      const response = await app.request('POST', '/console/sign-in', { body });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('tells the local-issuer console how to sign in', async () => {
    const settings = await app.request('GET', '/console/config.json');
    expect(settings.body).toEqual({ oidc: null, localSignIn: true });
  });
});
