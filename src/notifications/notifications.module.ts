import { Module } from '@nestjs/common';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { ProjectionRunner } from '../read-model/projection-runner';
import { READ_MODEL_REGISTRY, type ReadModelRegistry } from '../read-model/read-model-registry';
import { ReadModelModule } from '../read-model/read-model.module';
import { PartiesModule } from '../parties/parties.module';
import { EndpointParty } from './application/endpoint-party';
import { WEBHOOK_ENDPOINT_STREAM_PREFIX } from './domain/webhook-endpoint-events';
import { HostAllowList } from './delivery/host-allow-list';
import { WebhookSecrets } from './delivery/webhook-secrets';
import { DELIVERY_OUTBOX, DeliveryOutbox } from './dispatch/delivery-outbox';
import { WebhookDispatch } from './dispatch/webhook-dispatch.service';
import { AppliedEvents } from './feed/applied-events';
import { ChangeFeeds } from './feed/change-feeds';
import { ChangeFeedController } from './http/change-feed.controller';
import { WebhooksController } from './http/webhooks.controller';
import { NOTIFICATIONS_SCHEMA } from './projections/notifications.schema';
import { WebhookEndpointsProjection } from './projections/webhook-endpoints.projection';
import {
  WEBHOOK_ENDPOINT_READ_MODEL,
  WebhookEndpointReadModel,
} from './queries/webhook-endpoint-read-model';

/** Where the webhook key lives by default: next to the service's other keys. */
export const WEBHOOK_SECRET_KEY_FILE_NAME = 'webhook-secret.key';

/**
 * Notifications: the change feed (`GET /v1/changes`) and webhooks (endpoints as event-sourced
 * commands, a checkpointed dispatcher, an outbox, signed deliveries). It reads the other contexts
 * and nothing depends on it (docs/change-feed.md).
 */
@Module({
  imports: [
    PartiesModule,
    ReadModelModule.forFeature('notifications', {
      schema: NOTIFICATIONS_SCHEMA,
      streams: [WEBHOOK_ENDPOINT_STREAM_PREFIX],
      projections: (db) => [new WebhookEndpointsProjection(db)],
      queries: [
        {
          provide: WEBHOOK_ENDPOINT_READ_MODEL,
          useFactory: (db) => new WebhookEndpointReadModel(db),
        },
        { provide: DELIVERY_OUTBOX, useFactory: (db: Database.Database) => new DeliveryOutbox(db) },
      ],
    }),
  ],
  controllers: [ChangeFeedController, WebhooksController],
  providers: [
    {
      provide: AppliedEvents,
      inject: [EVENT_STORE, ProjectionRunner, READ_MODEL_REGISTRY],
      useFactory: (store: EventStore, runner: ProjectionRunner, registry: ReadModelRegistry) =>
        new AppliedEvents(store, runner, registry),
    },
    {
      provide: HostAllowList,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        try {
          return HostAllowList.parse(config.WEBHOOK_ALLOWED_HOSTS);
        } catch (error) {
          throw new Error(
            `Invalid configuration: WEBHOOK_ALLOWED_HOSTS: ${(error as Error).message}`,
            { cause: error },
          );
        }
      },
    },
    {
      provide: WebhookSecrets,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        WebhookSecrets.fromFile(
          config.WEBHOOK_SECRET_KEY_FILE ?? join(config.DATA_DIR, WEBHOOK_SECRET_KEY_FILE_NAME),
        ),
    },
    ChangeFeeds,
    EndpointParty,
    WebhookDispatch,
  ],
})
export class NotificationsModule {}
