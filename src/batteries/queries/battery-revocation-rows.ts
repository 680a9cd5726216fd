import type Database from 'better-sqlite3';
import type { ProvisionedBattery } from '../domain/battery-state';
import { base64url32Column, base64urlOfColumn } from '../../shared/infrastructure/compact-columns';

/** A battery's revocation lists, as its state has them. */
export type Revocations = Pick<ProvisionedBattery, 'revokedKeyIds' | 'revokedThumbprints'>;

/**
 * The revoked key ids and thumbprints of each battery, one row per revocation, in the order they
 * were revoked. Both lists only grow, and only KeyRevoked adds to them, one of each (battery-state.ts),
 * so row `seq` holds entry `seq` of both. A battery revoked a thousand times adds a row per
 * revocation instead of rewriting both lists with every event.
 */
export class BatteryRevocationRows {
  private readonly rowsOf;
  private readonly insert;

  constructor(db: Database.Database) {
    this.rowsOf = db.prepare<[string], { key_id: string; thumbprint: Uint8Array | string }>(
      'SELECT key_id, thumbprint FROM battery_revocations WHERE serial = ? ORDER BY seq',
    );
    this.insert = db.prepare(
      'INSERT INTO battery_revocations (serial, seq, key_id, thumbprint) VALUES (?, ?, ?, ?)',
    );
  }

  of(serial: string): Revocations {
    const revokedKeyIds: string[] = [];
    const revokedThumbprints: string[] = [];
    for (const row of this.rowsOf.iterate(serial)) {
      revokedKeyIds.push(row.key_id);
      revokedThumbprints.push(base64urlOfColumn(row.thumbprint));
    }
    return { revokedKeyIds, revokedThumbprints };
  }

  /** Records the entries `after` has beyond `before` (the lists as the rows already hold them). */
  append(serial: string, before: Revocations | undefined, after: Revocations): void {
    const from = before?.revokedKeyIds.length ?? 0;
    if (
      after.revokedKeyIds.length !== after.revokedThumbprints.length ||
      (before?.revokedThumbprints.length ?? 0) !== from
    )
      // A loud stop (the projection reports it) rather than rows that no longer pair up.
      throw new Error(
        `Battery ${serial}: revoked key ids and thumbprints no longer pair up (${after.revokedKeyIds.length} against ${after.revokedThumbprints.length})`,
      );
    for (let seq = from; seq < after.revokedKeyIds.length; seq++)
      this.insert.run(
        serial,
        seq,
        after.revokedKeyIds[seq],
        base64url32Column(after.revokedThumbprints[seq]),
      );
  }
}
