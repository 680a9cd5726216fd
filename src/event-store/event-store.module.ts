import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from './event-store.port';
import { SqliteEventStore } from './embedded/sqlite-event-store';
import { tracingActive } from '../tracing/spans';
import { EVENT_STORE_OBSERVER, type EventStoreObserver } from './event-store-observer';
import { ObservedEventStore } from './observed-event-store';

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
  const logger = new Logger('EventStore');
  return new SqliteEventStore(join(config.DATA_DIR, 'events.db'), {
    backgroundCheckpoints: { onFailure: (message) => logger.warn(message) },
  });
}

/** The adapter, measured and traced at the port when metrics or tracing are on; else as it is. */
async function openObservedEventStore(
  config: AppConfig,
  observer: EventStoreObserver | undefined,
): Promise<EventStore> {
  const store = await openEventStore(config);
  return observer || tracingActive() ? new ObservedEventStore(store, observer) : store;
}

@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [APP_CONFIG, { token: EVENT_STORE_OBSERVER, optional: true }],
      useFactory: openObservedEventStore,
    },
  ],
  exports: [EVENT_STORE],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.dispose();
  }
}
