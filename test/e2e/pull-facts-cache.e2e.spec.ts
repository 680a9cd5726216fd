import { TestApp, type Caller } from '../support/test-app';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';

/**
 * A pull answers from facts kept in memory (BatteryFactsCache). These pulls warm that memory first,
 * then change the battery: the very next pull must see the change, never the remembered facts.
 */
describe('bundle pulls after the battery changed (pull facts kept in memory)', () => {
  let app: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
  });
  afterAll(async () => app.stop());

  const pull = (serial: string, as: Caller, etag?: string) =>
    app.request('GET', `/v1/batteries/${serial}/bundle`, {
      as,
      headers: etag ? { 'if-none-match': etag } : {},
    });

  it('moves the ETag on the first pull after a key is issued', async () => {
    await provision(app, cast, 'SN-FACTS-KEY');
    const first = await pull('SN-FACTS-KEY', cast.ownerA);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') ?? '';
    expect((await pull('SN-FACTS-KEY', cast.ownerA, etag)).status).toBe(304);

    expect(
      (
        await issueKey(app, cast.ownerA, 'SN-FACTS-KEY', { personId: 'tom', partyId: 'workshop' }, [
          'diagnostics.read',
        ])
      ).status,
    ).toBe(201);
    const after = await pull('SN-FACTS-KEY', cast.ownerA, etag);
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(Number(after.headers.get('x-bundle-version'))).toBeGreaterThan(
      Number(first.headers.get('x-bundle-version')),
    );
  });

  it('refuses the former owner on the first pull after a transfer, and serves the new one', async () => {
    await provision(app, cast, 'SN-FACTS-XFER');
    const before = await pull('SN-FACTS-XFER', cast.ownerA);
    expect(before.status).toBe(200);
    expect((await pull('SN-FACTS-XFER', cast.ownerB)).status).toBe(404);

    await app.request('POST', '/v1/batteries/SN-FACTS-XFER/transfers', {
      as: cast.ownerA,
      body: { toOwnerId: 'lessor-b', transferId: 't-facts', reason: 'sale' },
    });
    const accepted = await app.request(
      'POST',
      '/v1/batteries/SN-FACTS-XFER/transfers/t-facts/accept',
      { as: cast.ownerB },
    );
    expect(accepted.status).toBe(200);

    const formerOwner = await pull('SN-FACTS-XFER', cast.ownerA, before.headers.get('etag') ?? '');
    expect(formerOwner.status).toBe(404);
    expect((await pull('SN-FACTS-XFER', cast.ownerB)).status).toBe(200);
  });
});
