import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { toDomainEvent } from '../../shared/infrastructure/event-mapping';
import type { Projection } from '../../read-model/projection';
import type { PartyEvent } from '../domain/party-events';

export class PartiesProjection implements Projection {
  readonly name = 'parties';
  private readonly insert;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      'INSERT INTO parties (party_id, name, kind, registered_at) VALUES (?, ?, ?, ?)',
    );
  }

  apply(recorded: RecordedEvent): void {
    if (recorded.type !== 'PartyRegistered') return;
    const event = toDomainEvent<PartyEvent>(recorded);
    this.insert.run(event.data.partyId, event.data.name, event.data.kind, event.meta.occurredAt);
  }
}
