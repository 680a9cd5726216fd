import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { storedMetadata } from '../../shared/infrastructure/event-mapping';
import type { Projection } from '../../read-model/projection';
import { instantColumn } from '../../shared/infrastructure/compact-columns';

/**
 * One row per event with where it is, who acted and when: what "audit who changed what" selects
 * by. The rest of each entry stays in the store (the audit query reads the event from there), so
 * the read model does not hold every event twice.
 */
export class AuditProjection implements Projection {
  readonly name = 'audit';
  private readonly insert;

  constructor(db: Database.Database) {
    this.insert = db.prepare(`
      INSERT INTO audit (position, stream_id, revision, actor_person, actor_party, occurred_at)
      VALUES (@position, @streamId, @revision, @actorPerson, @actorParty, @occurredAt)`);
  }

  apply(event: RecordedEvent): void {
    const meta = storedMetadata(event);
    this.insert.run({
      position: event.position,
      streamId: event.streamId,
      revision: event.revision,
      actorPerson: meta.actor.personId,
      actorParty: meta.actor.partyId,
      occurredAt: instantColumn(meta.occurredAt),
    });
  }
}
