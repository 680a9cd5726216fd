import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from './event-store.port';
import { SqliteEventStore } from './embedded/sqlite-event-store';

/** Picks the adapter from configuration; nothing above the port knows which one runs. */
async function openEventStore(config: AppConfig): Promise<EventStore> {
  if (config.EVENT_STORE === 'eventstoredb') {
    const { EventStoreDbEventStore } = await import('./eventstoredb/eventstoredb-event-store');
    const logger = new Logger('EventStoreDB');
    return EventStoreDbEventStore.fromConnectionString(
      config.EVENTSTORE_CONNECTION_STRING as string,
      {
        resubscribe: {
          onDropped: (error) =>
            logger.warn(
              `Subscription dropped, resubscribing: ${error instanceof Error ? error.message : String(error)}`,
            ),
        },
      },
    );
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  return new SqliteEventStore(join(config.DATA_DIR, 'events.db'));
}

@Global()
@Module({
  providers: [{ provide: EVENT_STORE, inject: [APP_CONFIG], useFactory: openEventStore }],
  exports: [EVENT_STORE],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.dispose();
  }
}
