import Database from 'better-sqlite3';
import type { JsonObject, RecordedEvent } from '../../event-store/event-store.port';
import { BundleChanges } from '../sync/bundle-changes';
import { DeviceSyncProjection } from './device-sync.projection';
import { DEVICE_SYNC_SCHEMA } from './device-sync.schema';

const meta = {
  actor: { personId: 'olga', partyId: 'oem', role: 'provisioner' },
  occurredAt: '2026-12-01T00:00:00.000Z',
  requestId: 'r',
  schema: 1,
};
let position = 0n;
const recorded = (streamId: string, type: string, data: JsonObject): RecordedEvent => ({
  id: `e-${(position += 1n)}`,
  streamId,
  type,
  revision: Number(position) - 1,
  position,
  data,
  metadata: meta,
  recordedAt: new Date(0),
});

/** The projection on an empty in-memory read model, with its tables. */
function withProjection(test: (projection: DeviceSyncProjection, db: Database.Database) => void) {
  const db = new Database(':memory:');
  try {
    db.exec(DEVICE_SYNC_SCHEMA.ddl);
    test(new DeviceSyncProjection(db, new BundleChanges(10)), db);
  } finally {
    db.close();
  }
}

/**
 * The device-sync projection writes a battery's device_sync row once per batch (at flush), so a
 * catch-up batch with many events of one battery costs one row write. An acknowledgement in the
 * same batch as the versions it acknowledges must still find that row.
 */
describe('the device-sync projection within one batch', () => {
  it('records an acknowledgement of a battery provisioned in the same batch', () => {
    withProjection((projection, db) => {
      projection.apply(recorded('battery-SN-1', 'BatteryProvisioned', { serial: 'SN-1' }));
      projection.apply(
        recorded('device-SN-1', 'BundleApplied', {
          serial: 'SN-1',
          ver: 1,
          iat: 1796000000,
          deviceKeyThumbprint: 't',
          proofId: 'p',
        }),
      );
      projection.apply(
        recorded('battery-SN-1', 'BatteryReportedStolen', { reportedByPartyId: 'x' }),
      );
      projection.flush();
      expect(db.prepare('SELECT * FROM device_sync').all()).toEqual([
        {
          serial: 'SN-1',
          bundle_version: 2,
          applied_version: 1,
          applied_iat: 1796000000,
          applied_at: meta.occurredAt,
        },
      ]);
      expect(
        db.prepare('SELECT version FROM device_bundle_versions ORDER BY version').pluck().all(),
      ).toEqual([1, 2]);
    });
  });

  it('forgets the versions of a batch that rolled back', () => {
    withProjection((projection, db) => {
      projection.apply(recorded('battery-SN-2', 'BatteryProvisioned', { serial: 'SN-2' }));
      projection.forget();
      projection.flush();
      expect(db.prepare('SELECT * FROM device_sync').all()).toEqual([]);
    });
  });
});

/**
 * A key's kid is asked for (GET /v1/fleet/exposure?kid=) and answered only once it is revoked, so
 * the row records it from the revocation: KeyRevoked names the thumbprint it revoked.
 */
describe('the device-sync projection of holder keys', () => {
  const THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
  const issued = (keyId: string) => ({
    keyId,
    publicKey: { jwk: {}, thumbprint: THUMBPRINT },
    notAfter: '2027-12-01T00:00:00.000Z',
  });

  it('keeps no kid for a live key and the revoked thumbprint for a revoked one', () => {
    withProjection((projection, db) => {
      projection.apply(recorded('battery-SN-3', 'BatteryProvisioned', { serial: 'SN-3' }));
      projection.apply(recorded('battery-SN-3', 'KeyIssued', issued('live')));
      projection.apply(recorded('battery-SN-3', 'KeyIssued', issued('gone')));
      projection.apply(
        recorded('battery-SN-3', 'KeyRevoked', { keyId: 'gone', thumbprint: THUMBPRINT }),
      );
      projection.flush();
      const kids = db
        .prepare<[], { key_id: string; kid: Buffer | null; revoked_in_version: number | null }>(
          'SELECT key_id, kid, revoked_in_version FROM device_bundle_keys ORDER BY key_id',
        )
        .all();
      expect(kids).toEqual([
        { key_id: 'gone', kid: Buffer.from(THUMBPRINT, 'base64url'), revoked_in_version: 4 },
        { key_id: 'live', kid: null, revoked_in_version: null },
      ]);
    });
  });
});
