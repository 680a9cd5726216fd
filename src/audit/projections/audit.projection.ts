import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { storedMetadata } from '../../shared/infrastructure/event-mapping';
import type { Projection } from '../../read-model/projection';
import { instantColumn } from '../../shared/infrastructure/compact-columns';
import { AuditHours, hourOfInstant } from './audit-hours';
import { InternedNames } from '../../read-model/interned-names';

/**
 * One row per event with where it is, who acted and when: what "audit who changed what" selects
 * by. The rest of each entry stays in the store (the audit query reads the event from there), so
 * the read model does not hold every event twice.
 */
export class AuditProjection implements Projection {
  readonly name = 'audit';
  private readonly insert;
  private readonly names: InternedNames;
  private readonly hours: AuditHours;

  constructor(db: Database.Database, options: { rememberedNames?: number } = {}) {
    this.names = new InternedNames(db, 'audit_names', options.rememberedNames);
    this.hours = new AuditHours(db);
    // Positional parameters: binding by name looks each one up, and this runs once per event.
    this.insert = db.prepare<[bigint, number, number, number, number, bigint | string]>(`
      INSERT INTO audit (position, stream, revision, actor_person, actor_party, occurred_at)
      VALUES (?, ?, ?, ?, ?, ?)`);
  }

  apply(event: RecordedEvent): void {
    const meta = storedMetadata(event);
    const occurredAt = instantColumn(meta.occurredAt);
    this.insert.run(
      event.position,
      this.names.numberOf(event.streamId),
      event.revision,
      this.names.numberOf(meta.actor.personId),
      this.names.numberOf(meta.actor.partyId),
      occurredAt,
    );
    this.hours.note(hourOfInstant(occurredAt), event.position);
  }

  flush(): void {
    this.hours.flush();
  }

  forget(): void {
    this.names.forget();
    this.hours.forget();
  }
}
