import type Database from 'better-sqlite3';
import type { Page } from '../../read-model/page';
import type { Actor } from '../../shared/domain/actor';
import { batteryNotFound, mayRead } from '../domain/access-policy';
import { relationshipFacts } from '../domain/battery-facts';
import type { ProvisionedBattery } from '../domain/battery-state';

export interface BatteryRow {
  serial: string;
  ownerId: string;
  operatorId: string | null;
  manufacturerId: string;
  status: string;
  revision: number;
  bundleVersion: number;
  position: bigint;
  state: ProvisionedBattery;
}

interface RawRow {
  serial: string;
  owner_id: string;
  operator_id: string | null;
  manufacturer_id: string;
  status: string;
  revision: number;
  bundle_version: number;
  position: number;
  state: string;
}

/** Reads of the batteries projection. Lists page by serial (keyset), so pages stay stable under writes. */
export class BatteryReadModel {
  private readonly bySerial;
  private readonly byOwner;
  private readonly byOperator;
  private readonly all;
  private readonly byDeviceKey;

  constructor(db: Database.Database) {
    this.bySerial = db.prepare<[string], RawRow>('SELECT * FROM batteries WHERE serial = ?');
    this.byOwner = db.prepare<[string, string, number], RawRow>(
      'SELECT * FROM batteries WHERE owner_id = ? AND serial > ? ORDER BY serial LIMIT ?',
    );
    this.byOperator = db.prepare<[string, string, number], RawRow>(
      'SELECT * FROM batteries WHERE operator_id = ? AND serial > ? ORDER BY serial LIMIT ?',
    );
    this.all = db.prepare<[string, number], RawRow>(
      'SELECT * FROM batteries WHERE serial > ? ORDER BY serial LIMIT ?',
    );
    this.byDeviceKey = db.prepare<[string], { serial: string }>(
      'SELECT serial FROM batteries WHERE device_thumbprint = ? LIMIT 1',
    );
  }

  get(serial: string): BatteryRow | undefined {
    const row = this.bySerial.get(serial);
    return row && toBatteryRow(row);
  }

  /**
   * The battery, if this actor may read it; otherwise the same 404 as for a serial nobody
   * provisioned, so an unrelated party cannot tell the two apart. Every read of one battery by a
   * person goes through here.
   */
  readableBy(serial: string, actor: Actor): BatteryRow {
    const battery = this.get(serial);
    if (!battery || !mayRead(actor, relationshipFacts(battery.state)))
      throw batteryNotFound(serial);
    return battery;
  }

  /** The battery a device identity key is registered to, if any. */
  serialOfDeviceKey(thumbprint: string): string | undefined {
    return this.byDeviceKey.get(thumbprint)?.serial;
  }

  /** Batteries of one owner, or of one operator, or all of them. */
  list(
    filter: { ownerId: string } | { operatorId: string } | Record<string, never>,
    cursor: string | undefined,
    limit: number,
  ): Page<BatteryRow> {
    const after = cursor ?? '';
    const rows =
      'ownerId' in filter
        ? this.byOwner.all(filter.ownerId, after, limit + 1)
        : 'operatorId' in filter
          ? this.byOperator.all(filter.operatorId, after, limit + 1)
          : this.all.all(after, limit + 1);
    const items = rows.slice(0, limit).map(toBatteryRow);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].serial : null };
  }
}

function toBatteryRow(row: RawRow): BatteryRow {
  return {
    serial: row.serial,
    ownerId: row.owner_id,
    operatorId: row.operator_id,
    manufacturerId: row.manufacturer_id,
    status: row.status,
    revision: row.revision,
    bundleVersion: row.bundle_version,
    position: BigInt(row.position),
    state: JSON.parse(row.state) as ProvisionedBattery,
  };
}

export const BATTERY_READ_MODEL = Symbol('BatteryReadModel');
