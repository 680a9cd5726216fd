import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { storedMetadata } from '../../shared/infrastructure/event-mapping';
import type { Projection } from '../../read-model/projection';

/**
 * Indexes Idempotency-Key uses found in event metadata, so any instance reading the same store
 * recognises a retry, and a retry is answered from the events the first attempt appended.
 */
export class IdempotencyProjection implements Projection {
  readonly name = 'idempotency';
  private readonly upsert;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(`
      INSERT INTO idempotency (actor_party, actor_person, key, fingerprint, stream_id, first_revision, last_revision, position)
      VALUES (@party, @person, @key, @fingerprint, @streamId, @revision, @revision, @position)
      ON CONFLICT (actor_party, actor_person, key) DO UPDATE SET last_revision = excluded.last_revision, position = excluded.position`);
  }

  apply(event: RecordedEvent): void {
    const meta = storedMetadata(event);
    if (!meta.idempotency) return;
    this.upsert.run({
      party: meta.actor.partyId,
      person: meta.actor.personId,
      key: meta.idempotency.key,
      fingerprint: meta.idempotency.fingerprint,
      streamId: event.streamId,
      revision: event.revision,
      position: event.position,
    });
  }
}
