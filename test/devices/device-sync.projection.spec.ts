import Database from 'better-sqlite3';
import { registerCast, issueKey } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { provisionDevice } from './support/device-harness';

/**
 * The device-sync projection counts bundle versions on its own (from the same access-changing
 * events). Here it is compared with the battery's own state after a history that exercises every
 * kind of change, transfers with their revocations included.
 */
describe('the device-sync projection keeps the battery’s bundle version', () => {
  it('agrees with the batteries projection after provisioning, leases, keys, a transfer and a theft report', async () => {
    const app = await TestApp.start();
    try {
      const cast = await registerCast(app);
      await provisionDevice(app, cast, 'SN-DRIFT');
      await app.request('POST', '/v1/batteries/SN-DRIFT/leases', {
        as: cast.ownerA,
        body: { operatorId: 'courier', leaseId: 'lease-1' },
      });
      await issueKey(app, cast.ownerA, 'SN-DRIFT', { personId: 'tom', partyId: 'workshop' }, [
        'diagnostics.read',
      ]);
      await issueKey(app, cast.fleetManager, 'SN-DRIFT', { personId: 'dan', partyId: 'courier' }, [
        'discharge',
      ]);
      await app.request('POST', '/v1/batteries/SN-DRIFT/transfers', {
        as: cast.ownerA,
        body: { toOwnerId: 'lessor-b', transferId: 't-1' },
      });
      const accepted = await app.request('POST', '/v1/batteries/SN-DRIFT/transfers/t-1/accept', {
        as: cast.ownerB,
      });
      expect(accepted.status).toBe(200);
      await app.request('POST', '/v1/batteries/SN-DRIFT/theft-report', {
        as: cast.ownerB,
        body: { reason: 'gone' },
      });

      const battery = (await app.request('GET', '/v1/batteries/SN-DRIFT', { as: cast.ownerB }))
        .body;
      const status = (await app.request('GET', '/v1/devices/SN-DRIFT/sync', { as: cast.ownerB }))
        .body;
      expect(status.current.ver).toBe(battery.bundleVersion);
      expect(status.exposures.map((e: { keyId: string }) => e.keyId).sort()).toHaveLength(2);

      const db = new Database(`${app.dataDir}/read-model.db`, { readonly: true });
      try {
        const versions = db
          .prepare<[string], { version: number }>(
            'SELECT version FROM device_bundle_versions WHERE serial = ? ORDER BY version',
          )
          .all('SN-DRIFT');
        expect(versions.map((v) => v.version)).toEqual(
          Array.from({ length: battery.bundleVersion }, (_, i) => i + 1),
        );
      } finally {
        db.close();
      }
    } finally {
      await app.stop();
    }
  });
});
