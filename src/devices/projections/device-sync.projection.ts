import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { toDomainEvent } from '../../shared/infrastructure/event-mapping';
import type { Projection } from '../../read-model/projection';
import {
  ACCESS_CHANGING_EVENTS,
  BATTERY_STREAM_PREFIX,
  type BatteryEvent,
} from '../../batteries/domain/battery-events';
import { DEVICE_STREAM_PREFIX, type DeviceEvent } from '../domain/device-events';
import type { BundleChanges } from '../sync/bundle-changes';
import { base64url32Column, instantColumn } from '../../shared/infrastructure/compact-columns';

/**
 * What each battery's device should run and what it runs: the bundle version the service serves
 * (advanced by the same access-changing events as the battery's own state), when each version
 * came into force, the versions each holder key was in, and the device's acknowledgements.
 * From these the fleet queries find lagging devices and revoked keys still live on a device.
 */
export class DeviceSyncProjection implements Projection {
  readonly name = 'device-sync';
  private readonly currentVersion;
  private readonly saveVersion;
  private readonly recordVersion;
  private readonly recordKey;
  private readonly recordRevocation;
  private readonly recordApplied;
  /** Bundle versions this batch advanced, by serial: device_sync is written once per battery, at flush. */
  private readonly pendingVersions = new Map<string, number>();

  constructor(
    db: Database.Database,
    private readonly changes: BundleChanges,
  ) {
    this.currentVersion = db.prepare<[string], { bundle_version: number }>(
      'SELECT bundle_version FROM device_sync WHERE serial = ?',
    );
    this.saveVersion = db.prepare(`
      INSERT INTO device_sync (serial, bundle_version) VALUES (@serial, @version)
      ON CONFLICT (serial) DO UPDATE SET bundle_version = excluded.bundle_version`);
    // Positional parameters for the two statements every key event runs: binding by name looks each one up.
    this.recordVersion = db.prepare<[serial: string, version: number, since: bigint | string]>(
      'INSERT OR REPLACE INTO device_bundle_versions (serial, version, since) VALUES (?, ?, ?)',
    );
    this.recordKey = db.prepare<
      [serial: string, keyId: string, version: number, notAfter: bigint | string]
    >(`
      INSERT OR REPLACE INTO device_bundle_keys (serial, key_id, first_version, not_after)
      VALUES (?, ?, ?, ?)`);
    this.recordRevocation = db.prepare(`
      UPDATE device_bundle_keys SET revoked_in_version = @version, revoked_at = @revokedAt, kid = @kid
        WHERE serial = @serial AND key_id = @keyId`);
    this.recordApplied = db.prepare(
      'UPDATE device_sync SET applied_version = @ver, applied_iat = @iat, applied_at = @at WHERE serial = @serial',
    );
  }

  apply(recorded: RecordedEvent): void {
    if (recorded.streamId.startsWith(BATTERY_STREAM_PREFIX)) {
      this.applyBatteryEvent(
        recorded.streamId.slice(BATTERY_STREAM_PREFIX.length),
        toDomainEvent<BatteryEvent>(recorded),
      );
    } else if (recorded.streamId.startsWith(DEVICE_STREAM_PREFIX)) {
      this.applyDeviceEvent(
        recorded.streamId.slice(DEVICE_STREAM_PREFIX.length),
        toDomainEvent<DeviceEvent>(recorded),
      );
    }
  }

  private applyBatteryEvent(serial: string, event: BatteryEvent): void {
    if (!ACCESS_CHANGING_EVENTS.has(event.type)) return;
    // The battery's own state advances its version on exactly these events (battery-state.ts);
    // test/devices/device-sync.projection.spec.ts keeps the two in step.
    const before =
      this.pendingVersions.get(serial) ?? this.currentVersion.get(serial)?.bundle_version;
    if (event.type !== 'BatteryProvisioned' && before === undefined) return;
    const version = event.type === 'BatteryProvisioned' ? 1 : (before as number) + 1;
    this.pendingVersions.set(serial, version);
    this.recordVersion.run(serial, version, instantColumn(event.meta.occurredAt));
    if (event.type === 'KeyIssued') {
      const { keyId, notAfter } = event.data;
      this.recordKey.run(serial, keyId, version, instantColumn(notAfter));
    } else if (event.type === 'KeyRevoked') {
      this.recordRevocation.run({
        serial,
        keyId: event.data.keyId,
        kid: base64url32Column(event.data.thumbprint),
        version,
        revokedAt: instantColumn(event.meta.occurredAt),
      });
    }
    this.changes.notify(serial);
  }

  flush(): void {
    for (const [serial, version] of this.pendingVersions) this.saveVersion.run({ serial, version });
    this.pendingVersions.clear();
  }

  private savePendingVersion(serial: string): void {
    const version = this.pendingVersions.get(serial);
    if (version === undefined) return;
    this.saveVersion.run({ serial, version });
    this.pendingVersions.delete(serial);
  }

  forget(): void {
    this.pendingVersions.clear();
  }

  private applyDeviceEvent(serial: string, event: DeviceEvent): void {
    switch (event.type) {
      case 'BundleApplied':
        // The row this updates may still be waiting in this batch (a battery provisioned in it).
        this.savePendingVersion(serial);
        this.recordApplied.run({
          serial,
          ver: event.data.ver,
          iat: event.data.iat,
          at: event.meta.occurredAt,
        });
        return;
    }
  }
}
