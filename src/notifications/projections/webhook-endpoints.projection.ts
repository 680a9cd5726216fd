import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';
import type { Projection } from '../../read-model/projection';
import { toDomainEvent } from '../../shared/infrastructure/event-mapping';
import {
  WEBHOOK_ENDPOINT_STREAM_PREFIX,
  type WebhookEndpointEvent,
} from '../domain/webhook-endpoint-events';

/** One row per endpoint, kept with the positions it was registered and deleted at. */
export class WebhookEndpointsProjection implements Projection {
  readonly name = 'webhook-endpoints';
  private readonly register;
  private readonly remove;

  constructor(db: Database.Database) {
    this.register = db.prepare(`
      INSERT OR IGNORE INTO webhook_endpoints (endpoint_id, party_id, url, kinds, description, revoked_key_live_after_hours, registered_position, registered_at)
      VALUES (@endpointId, @partyId, @url, @kinds, @description, @hours, @position, @at)`);
    this.remove = db.prepare(
      'UPDATE webhook_endpoints SET deleted_position = @position, deleted_at = @at WHERE endpoint_id = @endpointId',
    );
  }

  apply(recorded: RecordedEvent): void {
    if (!recorded.streamId.startsWith(WEBHOOK_ENDPOINT_STREAM_PREFIX)) return;
    const event = toDomainEvent<WebhookEndpointEvent>(recorded);
    const facts = { position: recorded.position, at: event.meta.occurredAt };
    switch (event.type) {
      case 'WebhookEndpointRegistered':
        this.register.run({
          ...facts,
          endpointId: event.data.endpointId,
          partyId: event.data.partyId,
          url: event.data.url,
          kinds: JSON.stringify(event.data.kinds),
          description: event.data.description,
          hours: event.data.revokedKeyLiveAfterHours,
        });
        return;
      case 'WebhookEndpointDeleted':
        this.remove.run({ ...facts, endpointId: event.data.endpointId });
        return;
    }
  }
}
