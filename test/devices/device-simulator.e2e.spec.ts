import { loadOrCreateLocalIssuerKey, mintToken } from '../../src/auth/local-token-issuer';
import { assertLoopback, provisionFleet, runSimulation } from '../../src/device-simulator';
import { TestApp } from '../support/test-app';
import { pinnedRootOf } from './support/device-harness';

describe('the device simulator against the real app', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(async () => app.stop());

  it('provisions a small fleet, and every device pulls, verifies, applies and acknowledges; a second run finds them current', async () => {
    const key = await loadOrCreateLocalIssuerKey(app.dataDir);
    const token = (personId: string, partyId: string, role: string) =>
      mintToken(key, 'urn:battery-keys:local-issuer', 'battery-keys', {
        personId,
        partyId,
        roles: [role],
        ttlSeconds: 300,
      });
    const tokens = {
      platform: await token('pat', 'platform', 'platform-admin'),
      provisioner: await token('olga', 'sim-oem', 'provisioner'),
    };
    const fleet = await provisionFleet({
      baseUrl: app.baseUrl,
      tokens,
      count: 6,
      serialPrefix: 'SIM-T',
      keyType: 'ES256',
      concurrency: 3,
    });
    const options = {
      baseUrl: app.baseUrl,
      fleet,
      rounds: 3,
      concurrency: 4,
      encrypt: true,
      timeoutMs: 20_000,
      issuer: 'urn:battery-keys:bundle-service',
      pinnedRoot: await pinnedRootOf(app),
    };

    const first = await runSimulation(options);
    expect(first).toMatchObject({ devices: 6, synced: 6, lagging: 0, refused: {}, failures: {} });
    const lagging = await app.request('GET', '/v1/fleet/lagging?owner=sim-lessor', {
      as: await app.caller('sam', 'sim-lessor', ['owner-admin']),
    });
    expect(lagging.body.items).toEqual([]);

    // A fresh run holds no state, so it pulls again; what it receives is the already-acknowledged
    // bundle, which the service answers from its idempotency record.
    const second = await runSimulation({ ...options, rounds: 1 });
    expect(second).toMatchObject({ synced: 6 });
  });

  it('talks to loopback addresses only', () => {
    expect(() => assertLoopback('http://example.com:3000')).toThrow(/loopback/);
    expect(assertLoopback('http://127.0.0.1:3000').origin).toBe('http://127.0.0.1:3000');
  });
});
