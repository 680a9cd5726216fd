import { TestApp } from '../support/test-app';
import { issueKey, provision, registerCast } from '../support/fleet-scenario';

describe('durability of the embedded store', () => {
  it('still has every event and the same read model after a stop and restart, and a rebuild from scratch agrees', async () => {
    const app = await TestApp.start();
    try {
      const cast = await registerCast(app);
      await provision(app, cast, 'SN-DUR-1');
      await provision(app, cast, 'SN-DUR-2');
      await issueKey(app, cast.ownerA, 'SN-DUR-1', { personId: 'tom', partyId: 'workshop' }, [
        'charge',
      ]);
      await app.request('POST', '/v1/batteries/SN-DUR-2/transfers', {
        as: cast.ownerA,
        body: { toOwnerId: 'lessor-b', transferId: 't' },
      });
      await app.request('POST', '/v1/batteries/SN-DUR-2/transfers/t/accept', { as: cast.ownerB });

      const snapshot = async () => ({
        audit: (await app.request('GET', '/v1/audit?limit=500', { as: cast.platform })).body,
        one: (await app.request('GET', '/v1/batteries/SN-DUR-1', { as: cast.platform })).body,
        two: (await app.request('GET', '/v1/batteries/SN-DUR-2', { as: cast.platform })).body,
        parties: (await app.request('GET', '/v1/parties', { as: cast.platform })).body,
        bundle: (
          await app.request('GET', '/v1/batteries/SN-DUR-1/bundle', { as: cast.platform })
        ).headers.get('x-bundle-version'),
      });
      const before = await snapshot();
      expect(before.audit.items.length).toBe(5 + 2 + 1 + 1 + 2);

      await app.restart();
      expect(await snapshot()).toEqual(before);

      // Delete the read model entirely: replaying the store must produce the same answers.
      await app.stop({ keepData: true });
      const { rmSync } = await import('node:fs');
      for (const file of ['read-model.db', 'read-model.db-wal', 'read-model.db-shm'])
        rmSync(`${app.dataDir}/${file}`, { force: true });
      await app.restart();
      const head = before.audit.items[before.audit.items.length - 1].position;
      await app.request('GET', '/v1/parties', {
        as: cast.platform,
        headers: { 'x-min-position': head },
      });
      expect(await snapshot()).toEqual(before);
    } finally {
      await app.stop();
    }
  });
});
