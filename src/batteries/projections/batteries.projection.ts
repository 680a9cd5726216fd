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

/**
 * The battery read model is the decider's own state, folded with the same `evolve`, so a read
 * and a decision can never disagree on what the battery looks like.
 */
export class BatteriesProjection implements Projection {
  readonly name = 'batteries';
  private readonly load;
  private readonly save;
  private readonly clearProposals;
  private readonly addProposal;

  constructor(db: Database.Database) {
    this.load = db.prepare<[string], { state: string }>(
      'SELECT state FROM batteries WHERE serial = ?',
    );
    this.save = db.prepare(`
      INSERT INTO batteries (serial, owner_id, operator_id, manufacturer_id, status, revision, bundle_version, position, device_thumbprint, state)
      VALUES (@serial, @ownerId, @operatorId, @manufacturerId, @status, @revision, @bundleVersion, @position, @deviceThumbprint, @state)
      ON CONFLICT (serial) DO UPDATE SET owner_id = excluded.owner_id, operator_id = excluded.operator_id, status = excluded.status,
        revision = excluded.revision, bundle_version = excluded.bundle_version, position = excluded.position, state = excluded.state`);
    this.clearProposals = db.prepare('DELETE FROM open_proposals WHERE serial = ?');
    this.addProposal = db.prepare(
      'INSERT INTO open_proposals (serial, proposal_id, kind, expires_at, proposal) VALUES (?, ?, ?, ?, ?)',
    );
  }

  apply(recorded: RecordedEvent): void {
    if (!recorded.streamId.startsWith(BATTERY_STREAM_PREFIX)) return;
    const serial = recorded.streamId.slice(BATTERY_STREAM_PREFIX.length);
    const stored = this.load.get(serial);
    const before: BatteryState = stored
      ? (JSON.parse(stored.state) as BatteryState)
      : initialBatteryState();
    const after = evolveBattery(before, toDomainEvent<BatteryEvent>(recorded));
    if (!after.provisioned) return;
    this.save.run({
      serial,
      ownerId: after.ownerId,
      operatorId: after.lease?.operatorId ?? null,
      manufacturerId: after.manufacturerId,
      status: after.status,
      revision: recorded.revision,
      bundleVersion: after.bundleVersion,
      position: recorded.position,
      deviceThumbprint: after.deviceKey.thumbprint,
      state: JSON.stringify(after),
    });
    this.syncOpenProposals(serial, after);
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
