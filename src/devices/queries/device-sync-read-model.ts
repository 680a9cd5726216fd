import type Database from 'better-sqlite3';
import type { Page } from '../../read-model/page';
import type { ServedVersion } from '../domain/device-commands';

export interface AppliedBundleView {
  ver: number;
  iat: number;
  at: string;
}

/** A battery's sync state: what the service serves now against what its device applied. */
export interface SyncStatus {
  serial: string;
  current: { ver: number; since: string };
  applied: AppliedBundleView | null;
  lagging: boolean;
  /** When the service's version first moved past the applied one (provisioning for a device never heard of). */
  lagSince: string | null;
}

/** A revoked key the device may still honour, because the bundle it last applied lists it. */
export interface Exposure {
  serial: string;
  keyId: string;
  kid: string;
  /** Exposed since the revocation: from then on the key should have been refused. */
  revokedAt: string;
  keyNotAfter: string;
  applied: AppliedBundleView | null;
  currentVersion: number;
}

/** The whole fleet's sync in three numbers, for the metrics an operator pages on. */
export interface FleetSyncSummary {
  /** Batteries whose device has not applied the version served now. */
  lagging: number;
  /** Batteries whose device may still honour at least one revoked key. */
  exposedBatteries: number;
  /** The earliest revocation still live on some device; undefined when none is. */
  oldestExposureSince: Date | undefined;
}

/** Restricts fleet lists to one owner's or one operator's batteries; empty for the whole fleet. */
export type { FleetFilter } from '../../batteries/domain/access-policy';
import type { FleetFilter } from '../../batteries/domain/access-policy';
import { decodeExposureCursor, encodeExposureCursor } from './exposure-cursor';
import {
  base64url32Column,
  base64urlOfColumn,
  instantColumn,
  instantOfColumn,
} from '../../shared/infrastructure/compact-columns';

/** An instant column as the projection writes it (compact-columns.ts): epoch ms, or text. */
type InstantColumn = number | bigint | string;

interface StatusRow {
  serial: string;
  bundle_version: number;
  since: InstantColumn;
  applied_version: number | null;
  applied_iat: number | null;
  applied_at: string | null;
  lag_since: InstantColumn | null;
}

interface ExposureRow {
  serial: string;
  key_id: string;
  kid: Uint8Array | string;
  revoked_at: InstantColumn;
  not_after: InstantColumn;
  applied_version: number | null;
  applied_iat: number | null;
  applied_at: string | null;
  bundle_version: number;
}

const STATUS_COLUMNS = `
  s.serial, s.bundle_version, s.applied_version, s.applied_iat, s.applied_at,
  (SELECT since FROM device_bundle_versions v WHERE v.serial = s.serial AND v.version = s.bundle_version) AS since,
  (SELECT since FROM device_bundle_versions v WHERE v.serial = s.serial AND v.version = COALESCE(s.applied_version, 0) + 1) AS lag_since`;

const LAGGING = '(s.applied_version IS NULL OR s.applied_version < s.bundle_version)';

/**
 * A key is live on a device when the device's applied bundle lists it: applied in
 * [first_version, revoked_in_version). A device that never acknowledged may hold any bundle it
 * ever pulled, so it counts as exposed: unknown is not safe. Keys past their own `notAfter` are
 * refused by the device anyway and are left out.
 */
const EXPOSED = `k.revoked_in_version IS NOT NULL AND k.not_after > @now
  AND (s.applied_version IS NULL OR (s.applied_version >= k.first_version AND s.applied_version < k.revoked_in_version))`;

/**
 * Fleet sync queries over the device-sync projection. The owner and operator filters join the
 * batteries projection of the same database, so a battery's relationships are kept in one place.
 */
export class DeviceSyncReadModel {
  /** Statements by text: the filters make a handful of variants, each compiled once. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private statement<Row>(sql: string): Database.Statement<Record<string, unknown>, Row> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as Database.Statement<Record<string, unknown>, Row>;
  }

  status(serial: string): SyncStatus | undefined {
    const row = this.statement<StatusRow>(
      `SELECT ${STATUS_COLUMNS} FROM device_sync s WHERE s.serial = @serial`,
    ).get({ serial });
    return row && toStatus(row);
  }

  /** When `version` of the battery's bundle came into force; undefined when it never existed. */
  servedVersion(serial: string, version: number): ServedVersion | undefined {
    const row = this.statement<{ since: InstantColumn }>(
      'SELECT since FROM device_bundle_versions WHERE serial = @serial AND version = @version',
    ).get({ serial, version });
    return row && { version, since: new Date(instantOfColumn(row.since)) };
  }

  /** Batteries whose device has not applied the version the service serves now, by serial. */
  lagging(filter: FleetFilter, cursor: string | undefined, limit: number): Page<SyncStatus> {
    const { join, clause } = fleetJoin(filter);
    const rows = this.statement<StatusRow>(
      `SELECT ${STATUS_COLUMNS} FROM device_sync s ${join} WHERE ${LAGGING} ${clause} AND s.serial > @after ORDER BY s.serial LIMIT @limit`,
    ).all({ ...filter, after: cursor ?? '', limit: limit + 1 });
    const items = rows.slice(0, limit).map(toStatus);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].serial : null };
  }

  /**
   * Revoked keys still live on a device, oldest revocation first (the key live longest after its
   * revocation matters most); ties by battery and key id, so the order is total and keyset paging
   * by the whole sort key is stable. Optionally for one holder key (`kid`).
   */
  exposure(
    filter: FleetFilter,
    kid: string | undefined,
    cursor: string | undefined,
    limit: number,
    now: Date,
  ): Page<Exposure> {
    const { join, clause } = fleetJoin(filter);
    const after = cursor === undefined ? undefined : decodeExposureCursor(cursor);
    if (cursor !== undefined && !after)
      throw new Error('not an exposure cursor (the route validates it)');
    const byKid = kid !== undefined ? 'AND k.kid = @kid' : '';
    // The cursor's instant is compared as the column keeps it (epoch ms), so the order is the column's.
    const pastCursor = after
      ? 'AND (k.revoked_at, k.serial, k.key_id) > (@afterRevokedAt, @afterSerial, @afterKeyId)'
      : '';
    const rows = this.statement<ExposureRow>(
      `SELECT k.serial, k.key_id, k.kid, k.revoked_at, k.not_after, s.applied_version, s.applied_iat, s.applied_at, s.bundle_version
         FROM device_bundle_keys k JOIN device_sync s ON s.serial = k.serial ${join}
         WHERE ${EXPOSED} ${clause} ${byKid} ${pastCursor}
         ORDER BY k.revoked_at, k.serial, k.key_id LIMIT @limit`,
    ).all({
      ...filter,
      kid: kid === undefined ? undefined : base64url32Column(kid),
      now: nowColumn(now),
      afterRevokedAt: after && instantColumn(after.revokedAt),
      afterSerial: after?.serial,
      afterKeyId: after?.keyId,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit).map(toExposure);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > limit
          ? encodeExposureCursor({
              revokedAt: last.revokedAt,
              serial: last.serial,
              keyId: last.keyId,
            })
          : null,
    };
  }

  /**
   * Counts over the whole fleet (no tenant filter: this is for the operator's metrics, never an
   * API answer). Two aggregate statements over the partial indexes of lagging devices and revoked
   * keys, so a scrape costs in proportion to what is lagging or exposed, not to the fleet.
   */
  fleetSummary(now: Date): FleetSyncSummary {
    const { lagging } = this.statement<{ lagging: number }>(
      `SELECT COUNT(*) AS lagging FROM device_sync s WHERE ${LAGGING}`,
    ).get({}) as { lagging: number };
    const exposure = this.statement<{ batteries: number; oldest: InstantColumn | null }>(
      `SELECT COUNT(DISTINCT k.serial) AS batteries, MIN(k.revoked_at) AS oldest
         FROM device_bundle_keys k JOIN device_sync s ON s.serial = k.serial WHERE ${EXPOSED}`,
    ).get({ now: nowColumn(now) }) as { batteries: number; oldest: InstantColumn | null };
    return {
      lagging,
      exposedBatteries: exposure.batteries,
      oldestExposureSince:
        exposure.oldest === null ? undefined : new Date(instantOfColumn(exposure.oldest)),
    };
  }

  /** The exposures of one battery (its status page shows them), oldest revocation first. */
  exposureOf(serial: string, now: Date): Exposure[] {
    return this.statement<ExposureRow>(
      `SELECT k.serial, k.key_id, k.kid, k.revoked_at, k.not_after, s.applied_version, s.applied_iat, s.applied_at, s.bundle_version
         FROM device_bundle_keys k JOIN device_sync s ON s.serial = k.serial
         WHERE k.serial = @serial AND ${EXPOSED} ORDER BY k.revoked_at, k.key_id`,
    )
      .all({ serial, now: nowColumn(now) })
      .map(toExposure);
  }
}

/** Now as the instant columns keep it: epoch milliseconds, which SQLite compares as an INTEGER. */
const nowColumn = (now: Date): bigint => BigInt(now.getTime());

function fleetJoin(filter: FleetFilter): { join: string; clause: string } {
  if ('ownerId' in filter && filter.ownerId !== undefined)
    return { join: 'JOIN batteries b ON b.serial = s.serial', clause: 'AND b.owner_id = @ownerId' };
  if ('operatorId' in filter && filter.operatorId !== undefined)
    return {
      join: 'JOIN batteries b ON b.serial = s.serial',
      clause: 'AND b.operator_id = @operatorId',
    };
  return { join: '', clause: '' };
}

const appliedOf = (row: {
  applied_version: number | null;
  applied_iat: number | null;
  applied_at: string | null;
}): AppliedBundleView | null =>
  row.applied_version === null
    ? null
    : { ver: row.applied_version, iat: row.applied_iat as number, at: row.applied_at as string };

function toStatus(row: StatusRow): SyncStatus {
  const lagging = row.applied_version === null || row.applied_version < row.bundle_version;
  return {
    serial: row.serial,
    current: { ver: row.bundle_version, since: instantOfColumn(row.since) },
    applied: appliedOf(row),
    lagging,
    lagSince: lagging && row.lag_since !== null ? instantOfColumn(row.lag_since) : null,
  };
}

function toExposure(row: ExposureRow): Exposure {
  return {
    serial: row.serial,
    keyId: row.key_id,
    kid: base64urlOfColumn(row.kid),
    revokedAt: instantOfColumn(row.revoked_at),
    keyNotAfter: instantOfColumn(row.not_after),
    applied: appliedOf(row),
    currentVersion: row.bundle_version,
  };
}

export const DEVICE_SYNC_READ_MODEL = Symbol('DeviceSyncReadModel');
