import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { storedMetadata } from '../../shared/infrastructure/event-mapping';
import type { Projection } from '../../read-model/projection';

/** One row per event with who, when, why and which request: what "audit who changed what" reads. */
export class AuditProjection implements Projection {
  readonly name = 'audit';
  private readonly insert;

  constructor(db: Database.Database) {
    this.insert = db.prepare(`
      INSERT INTO audit (position, event_id, stream_id, subject, revision, type, data, actor_person, actor_party, actor_role, occurred_at, reason, request_id, policy_version)
      VALUES (@position, @eventId, @streamId, @subject, @revision, @type, @data, @actorPerson, @actorParty, @actorRole, @occurredAt, @reason, @requestId, @policyVersion)`);
  }

  apply(event: RecordedEvent): void {
    const meta = storedMetadata(event);
    this.insert.run({
      position: event.position,
      eventId: event.id,
      streamId: event.streamId,
      subject: event.streamId.slice(event.streamId.indexOf('-') + 1),
      revision: event.revision,
      type: event.type,
      data: JSON.stringify(event.data),
      actorPerson: meta.actor.personId,
      actorParty: meta.actor.partyId,
      actorRole: meta.actor.role,
      occurredAt: meta.occurredAt,
      reason: meta.reason ?? null,
      requestId: meta.requestId,
      policyVersion: meta.policyVersion ?? null,
    });
  }
}
