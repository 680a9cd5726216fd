import type Database from 'better-sqlite3';
import type { Actor } from '../../shared/domain/actor';

/** The first attempt of an Idempotency-Key, as the idempotency projection recorded it. */
export interface FirstAttempt {
  fingerprint: string;
  streamId: string;
  firstRevision: number;
  lastRevision: number;
}

/** Reads what the idempotency projection (same folder, same table) recorded. */
export class IdempotencyRecords {
  private readonly find;

  constructor(db: Database.Database) {
    this.find = db.prepare<
      [string, string, string],
      { fingerprint: string; stream_id: string; first_revision: number; last_revision: number }
    >(
      'SELECT fingerprint, stream_id, first_revision, last_revision FROM idempotency WHERE actor_party = ? AND actor_person = ? AND key = ?',
    );
  }

  firstAttempt(actor: Actor, key: string): FirstAttempt | undefined {
    const row = this.find.get(actor.partyId, actor.personId, key);
    return (
      row && {
        fingerprint: row.fingerprint,
        streamId: row.stream_id,
        firstRevision: row.first_revision,
        lastRevision: row.last_revision,
      }
    );
  }
}

export const IDEMPOTENCY_RECORDS = Symbol('IdempotencyRecords');
