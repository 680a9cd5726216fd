import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { toDomainEvent } from '../../shared/infrastructure/event-mapping';
import type { Projection } from '../../read-model/projection';
import { BATTERY_STREAM_PREFIX, type BatteryEvent } from '../domain/battery-events';
import {
  evolveBattery,
  initialBatteryState,
  type BatteryState,
  type ProvisionedBattery,
} from '../domain/battery-state';
import { BatteryFactsCache } from '../queries/battery-facts-cache';
import { BatteryKeyRows } from '../queries/battery-key-rows';
import { BatteryRevocationRows } from '../queries/battery-revocation-rows';
import {
  batteryStateColumn,
  batteryStateOfColumn,
  sameStateDocument,
} from '../queries/battery-state-column';
import { base64url32Column, jwkColumn } from '../../shared/infrastructure/compact-columns';

/** Committed states kept parsed, so an event on a battery seen lately does not parse its row again. */
const STATE_CACHE_ENTRIES = 5_000;

interface Folded {
  state: BatteryState;
  revision: number;
  position: bigint;
  /** Position of the event that made the state's bundle version. */
  bundleVersionPosition: bigint;
}

/** What a batch changed on one battery: where it started (as committed) and where it ends. */
interface Touched extends Folded {
  base: BatteryState | undefined;
  /** Where each key issued in this batch was issued: the order of the battery's key rows. */
  issuedPositions: Map<string, bigint>;
}

/**
 * The battery read model is the decider's own state, folded with the same `evolve`, so a read
 * and a decision can never disagree on what the battery looks like. A batch of events (catching
 * up applies hundreds per transaction) writes each battery's row once, not once per event; the
 * states it committed stay parsed for the next batch.
 */
export class BatteriesProjection implements Projection {
  readonly name = 'batteries';
  private readonly load;
  private readonly save;
  private readonly saveVersion;
  private readonly clearProposals;
  private readonly addProposal;
  private readonly keyRows: BatteryKeyRows;
  private readonly revocationRows: BatteryRevocationRows;
  private readonly pending = new Map<string, Touched>();
  private readonly committedStates = new Map<string, Folded>();
  private readonly factsCache: BatteryFactsCache;

  constructor(db: Database.Database) {
    this.factsCache = BatteryFactsCache.of(db);
    this.load = db.prepare<
      [string],
      {
        state: Uint8Array | string;
        revision: number;
        position: number;
        bundle_version: number;
        bundle_version_since: string;
        bundle_version_position: number;
      }
    >(
      `SELECT state, revision, position, bundle_version, bundle_version_since, bundle_version_position
         FROM batteries WHERE serial = ?`,
    );
    this.keyRows = new BatteryKeyRows(db);
    this.revocationRows = new BatteryRevocationRows(db);
    this.save = db.prepare(`
      INSERT INTO batteries (serial, owner_id, operator_id, manufacturer_id, specialist_id, status, revision, bundle_version, bundle_version_since, bundle_version_position, position, device_thumbprint, device_jwk, state)
      VALUES (@serial, @ownerId, @operatorId, @manufacturerId, @specialistId, @status, @revision, @bundleVersion, @bundleVersionSince, @bundleVersionPosition, @position, @deviceThumbprint, @deviceJwk, @state)
      ON CONFLICT (serial) DO UPDATE SET owner_id = excluded.owner_id, operator_id = excluded.operator_id, specialist_id = excluded.specialist_id,
        status = excluded.status, revision = excluded.revision, bundle_version = excluded.bundle_version,
        bundle_version_since = excluded.bundle_version_since, bundle_version_position = excluded.bundle_version_position,
        position = excluded.position, state = excluded.state`);
    this.saveVersion = db.prepare(`
      UPDATE batteries SET revision = @revision, bundle_version = @bundleVersion,
        bundle_version_since = @bundleVersionSince, bundle_version_position = @bundleVersionPosition,
        position = @position
      WHERE serial = @serial`);
    this.clearProposals = db.prepare('DELETE FROM open_proposals WHERE serial = ?');
    this.addProposal = db.prepare(
      'INSERT INTO open_proposals (serial, proposal_id, kind, expires_at, proposal) VALUES (?, ?, ?, ?, ?)',
    );
  }

  apply(recorded: RecordedEvent): void {
    if (!recorded.streamId.startsWith(BATTERY_STREAM_PREFIX)) return;
    const serial = recorded.streamId.slice(BATTERY_STREAM_PREFIX.length);
    const touched = this.pending.get(serial);
    const committed = touched ? undefined : this.committedState(serial);
    const base = touched ? touched.base : committed?.state;
    const before = touched?.state ?? base ?? initialBatteryState();
    const event = toDomainEvent<BatteryEvent>(recorded);
    const state = evolveBattery(before, event);
    const issuedPositions = touched?.issuedPositions ?? new Map<string, bigint>();
    if (event.type === 'KeyIssued') {
      issuedPositions.set(event.data.keyId, recorded.position);
      this.keyRows.numberNamesOf(event.data);
    }
    const versionBefore = before.provisioned ? before.bundleVersion : undefined;
    const versionAfter = state.provisioned ? state.bundleVersion : undefined;
    this.pending.set(serial, {
      base,
      issuedPositions,
      state,
      revision: recorded.revision,
      position: recorded.position,
      bundleVersionPosition:
        versionAfter !== versionBefore
          ? recorded.position
          : (touched?.bundleVersionPosition ??
            committed?.bundleVersionPosition ??
            recorded.position),
    });
  }

  flush(): void {
    for (const [serial, touched] of this.pending) {
      if (!touched.state.provisioned) continue;
      this.write(serial, touched.state, touched.base, touched);
      this.writeKeys(serial, touched);
      this.revocationRows.append(
        serial,
        touched.base?.provisioned ? touched.base : undefined,
        touched.state,
      );
    }
  }

  committed(): void {
    for (const [serial, { state, revision, position, bundleVersionPosition }] of this.pending) {
      // The pull facts of this battery changed with the rows just committed: read them again.
      this.factsCache.evict(serial);
      this.committedStates.delete(serial);
      this.committedStates.set(serial, { state, revision, position, bundleVersionPosition });
    }
    this.pending.clear();
    while (this.committedStates.size > STATE_CACHE_ENTRIES) {
      this.committedStates.delete(this.committedStates.keys().next().value as string);
    }
  }

  forget(): void {
    this.pending.clear();
    this.committedStates.clear();
    this.factsCache.clear();
    this.keyRows.forget();
  }

  private committedState(serial: string): Folded | undefined {
    const cached = this.committedStates.get(serial);
    if (cached) return cached;
    const row = this.load.get(serial);
    if (!row) return undefined;
    const stored = batteryStateOfColumn(row.state, row);
    return {
      state: { ...stored, keys: this.keyRows.of(serial), ...this.revocationRows.of(serial) },
      revision: row.revision,
      position: BigInt(row.position),
      bundleVersionPosition: BigInt(row.bundle_version_position),
    };
  }

  private write(
    serial: string,
    battery: ProvisionedBattery,
    base: BatteryState | undefined,
    at: Folded,
  ): void {
    if (base?.provisioned && sameStateDocument(base, battery)) {
      // A key issued or revoked: the document, the relationships and the proposals are as stored.
      this.saveVersion.run({
        serial,
        revision: at.revision,
        bundleVersion: battery.bundleVersion,
        bundleVersionSince: battery.bundleVersionSince,
        bundleVersionPosition: at.bundleVersionPosition,
        position: at.position,
      });
      return;
    }
    this.save.run({
      serial,
      ownerId: battery.ownerId,
      operatorId: battery.lease?.operatorId ?? null,
      manufacturerId: battery.manufacturerId,
      specialistId: battery.specialist?.specialistId ?? null,
      status: battery.status,
      revision: at.revision,
      bundleVersion: battery.bundleVersion,
      bundleVersionSince: battery.bundleVersionSince,
      bundleVersionPosition: at.bundleVersionPosition,
      position: at.position,
      deviceThumbprint: base64url32Column(battery.deviceKey.thumbprint),
      deviceJwk: jwkColumn(battery.deviceKey.jwk),
      state: batteryStateColumn(battery),
    });
    this.syncOpenProposals(serial, battery);
  }

  /** Keys issued or revoked since the batch began, by key id: the unchanged ones stay as they are. */
  private writeKeys(serial: string, { base, state, issuedPositions, position }: Touched): void {
    if (!state.provisioned) return;
    const before = new Map((base?.provisioned ? base.keys : []).map((key) => [key.keyId, key]));
    const after = new Set(state.keys.map((key) => key.keyId));
    for (const keyId of before.keys()) if (!after.has(keyId)) this.keyRows.delete(serial, keyId);
    for (const key of state.keys) {
      // Only KeyIssued adds a key, so its position is known; the batch's last one is a safe bound.
      if (!before.has(key.keyId))
        this.keyRows.add(serial, issuedPositions.get(key.keyId) ?? position, key);
    }
  }

  /** What waits for approval on this battery: its open proposals and its open transfer. */
  private syncOpenProposals(serial: string, battery: ProvisionedBattery): void {
    this.clearProposals.run(serial);
    for (const proposal of battery.proposals) {
      this.addProposal.run(
        serial,
        proposal.proposalId,
        proposal.kind,
        proposal.expiresAt,
        JSON.stringify(proposal),
      );
    }
    if (battery.openTransfer) {
      this.addProposal.run(
        serial,
        battery.openTransfer.transferId,
        'ownership-transfer',
        null,
        JSON.stringify(battery.openTransfer),
      );
    }
  }
}
