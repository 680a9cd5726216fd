import type Database from 'better-sqlite3';
import type { Page } from '../../read-model/page';
import type { Actor } from '../../shared/domain/actor';
import { batteryNotFound, mayRead } from '../domain/access-policy';
import { relationshipFacts } from '../domain/battery-facts';
import type { OpenProposal, OpenTransfer, ProvisionedBattery } from '../domain/battery-state';
import { BatteryFactsCache, type BatteryFacts } from './battery-facts-cache';
import { BatteryKeyRows } from './battery-key-rows';
import { BatteryRevocationRows } from './battery-revocation-rows';
import { batteryStateOfColumn, type StoredBatteryState } from './battery-state-column';
import {
  base64url32Column,
  base64urlOfColumn,
  jwkOfColumn,
} from '../../shared/infrastructure/compact-columns';

export type { BatteryFacts } from './battery-facts-cache';

export interface BatteryRow {
  serial: string;
  ownerId: string;
  operatorId: string | null;
  manufacturerId: string;
  status: string;
  revision: number;
  bundleVersion: number;
  /** Store position of the event that made the current bundle version. */
  bundleVersionPosition: bigint;
  position: bigint;
  state: ProvisionedBattery;
}

interface RawFacts {
  serial: string;
  owner_id: string;
  operator_id: string | null;
  manufacturer_id: string;
  specialist_id: string | null;
  bundle_version: number;
  bundle_version_since: string;
  device_thumbprint: Uint8Array | string;
  device_jwk: Uint8Array | string;
}

interface RawRow {
  serial: string;
  owner_id: string;
  operator_id: string | null;
  manufacturer_id: string;
  status: string;
  revision: number;
  bundle_version: number;
  bundle_version_since: string;
  bundle_version_position: number;
  position: number;
  state: Uint8Array | string;
}

/** Reads of the batteries projection. Lists page by serial (keyset), so pages stay stable under writes. */
export class BatteryReadModel {
  private readonly bySerial;
  private readonly factsBySerial;
  private readonly keyRows: BatteryKeyRows;
  private readonly revocationRows: BatteryRevocationRows;
  private readonly byOwner;
  private readonly byOperator;
  private readonly all;
  private readonly byDeviceKey;
  private readonly openProposalsBefore;
  private readonly factsCache: BatteryFactsCache;

  constructor(db: Database.Database) {
    this.factsCache = BatteryFactsCache.of(db);
    this.bySerial = db.prepare<[string], RawRow>('SELECT * FROM batteries WHERE serial = ?');
    this.keyRows = new BatteryKeyRows(db);
    this.revocationRows = new BatteryRevocationRows(db);
    this.factsBySerial = db.prepare<[string], RawFacts>(
      `SELECT serial, owner_id, operator_id, manufacturer_id, specialist_id, bundle_version,
              bundle_version_since, device_thumbprint, device_jwk
         FROM batteries WHERE serial = ?`,
    );
    this.byOwner = db.prepare<[string, string, number], RawRow>(
      'SELECT * FROM batteries WHERE owner_id = ? AND serial > ? ORDER BY serial LIMIT ?',
    );
    this.byOperator = db.prepare<[string, string, number], RawRow>(
      'SELECT * FROM batteries WHERE operator_id = ? AND serial > ? ORDER BY serial LIMIT ?',
    );
    this.all = db.prepare<[string, number], RawRow>(
      'SELECT * FROM batteries WHERE serial > ? ORDER BY serial LIMIT ?',
    );
    this.byDeviceKey = db.prepare<[Uint8Array | string], { serial: string }>(
      'SELECT serial FROM batteries WHERE device_thumbprint = ? LIMIT 1',
    );
    this.openProposalsBefore = db.prepare<
      [string],
      {
        serial: string;
        proposal_id: string;
        kind: string;
        expires_at: string | null;
        proposal: string;
        state: Uint8Array | string;
        bundle_version: number;
        bundle_version_since: string;
      }
    >(
      `SELECT p.serial, p.proposal_id, p.kind, p.expires_at, p.proposal, b.state, b.bundle_version,
              b.bundle_version_since
         FROM open_proposals p JOIN batteries b ON b.serial = p.serial
        WHERE p.expires_at IS NULL OR p.expires_at > ?
        ORDER BY p.expires_at`,
    );
  }

  get(serial: string): BatteryRow | undefined {
    const row = this.bySerial.get(serial);
    return row && this.toBatteryRow(row);
  }

  /** The few facts a pull needs, without the state document; from memory once read (BatteryFactsCache). */
  facts(serial: string): BatteryFacts | undefined {
    const cached = this.factsCache.get(serial);
    if (cached) return cached;
    const row = this.factsBySerial.get(serial);
    if (!row) return undefined;
    // Frozen: the same object answers every pull until the battery changes.
    const facts: BatteryFacts = Object.freeze({
      serial: row.serial,
      ownerId: row.owner_id,
      operatorId: row.operator_id,
      manufacturerId: row.manufacturer_id,
      specialistId: row.specialist_id,
      bundleVersion: row.bundle_version,
      bundleVersionSince: row.bundle_version_since,
      deviceKey: Object.freeze({
        jwk: Object.freeze(jwkOfColumn(row.device_jwk)),
        thumbprint: base64urlOfColumn(row.device_thumbprint),
      }),
    });
    this.factsCache.set(facts);
    return facts;
  }

  /** The facts of a battery this actor may read; else the 404 of an unknown serial (see readableBy). */
  readableFactsBy(serial: string, actor: Actor): BatteryFacts {
    const facts = this.facts(serial);
    if (!facts || !mayRead(actor, facts)) throw batteryNotFound(serial);
    return facts;
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

  /** Open proposals and transfers not expired at `now`, soonest to expire first, with their battery. */
  *openProposals(now: Date): Generator<{
    row: { serial: string; proposal_id: string; kind: string; expires_at: string | null };
    /** The state without its keys, which approvals do not depend on. */
    battery: StoredBatteryState;
    proposal: OpenProposal | OpenTransfer;
  }> {
    for (const row of this.openProposalsBefore.iterate(now.toISOString())) {
      yield {
        row,
        battery: batteryStateOfColumn(row.state, row),
        proposal: JSON.parse(row.proposal) as OpenProposal | OpenTransfer,
      };
    }
  }

  /** The battery a device identity key is registered to, if any. */
  serialOfDeviceKey(thumbprint: string): string | undefined {
    return this.byDeviceKey.get(base64url32Column(thumbprint))?.serial;
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
    const items = rows.slice(0, limit).map((row) => this.toBatteryRow(row));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].serial : null };
  }

  /** The row's state document with its keys and revocations, which are rows of their own. */
  private toBatteryRow(row: RawRow): BatteryRow {
    const stored = batteryStateOfColumn(row.state, row);
    return toBatteryRow(row, {
      ...stored,
      keys: this.keyRows.of(row.serial),
      ...this.revocationRows.of(row.serial),
    });
  }
}

function toBatteryRow(row: RawRow, state: ProvisionedBattery): BatteryRow {
  return {
    serial: row.serial,
    ownerId: row.owner_id,
    operatorId: row.operator_id,
    manufacturerId: row.manufacturer_id,
    status: row.status,
    revision: row.revision,
    bundleVersion: row.bundle_version,
    bundleVersionPosition: BigInt(row.bundle_version_position),
    position: BigInt(row.position),
    state,
  };
}

export const BATTERY_READ_MODEL = Symbol('BatteryReadModel');
