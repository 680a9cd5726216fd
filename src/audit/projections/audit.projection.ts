import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { storedMetadata } from '../../shared/infrastructure/event-mapping';
import type { Projection } from '../../read-model/projection';
import { instantColumn, uuidColumn } from '../../shared/infrastructure/compact-columns';

/**
 * One row per event with who, when, why and which request: what "audit who changed what" reads.
 * The event's data stays in the store (the audit query reads it from there), so the read model does
 * not hold every event twice.
 */
export class AuditProjection implements Projection {
  readonly name = 'audit';
  private readonly insert;

  constructor(db: Database.Database) {
    this.insert = db.prepare(`
      INSERT INTO audit (position, event_id, stream_id, revision, type, actor_person, actor_party, actor_role, occurred_at, reason, request_id, policy_version)
      VALUES (@position, @eventId, @streamId, @revision, @type, @actorPerson, @actorParty, @actorRole, @occurredAt, @reason, @requestId, @policyVersion)`);
  }

  apply(event: RecordedEvent): void {
    const meta = storedMetadata(event);
    this.insert.run({
      position: event.position,
      eventId: uuidColumn(event.id),
      streamId: event.streamId,
      revision: event.revision,
      type: event.type,
      actorPerson: meta.actor.personId,
      actorParty: meta.actor.partyId,
      actorRole: meta.actor.role,
      occurredAt: instantColumn(meta.occurredAt),
      reason: meta.reason ?? null,
      requestId: meta.requestId,
      policyVersion: meta.policyVersion ?? null,
    });
  }
}
