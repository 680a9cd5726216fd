import {
  Global,
  Inject,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type InjectionToken,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { WalCheckpointer } from '../shared/infrastructure/wal-checkpointer';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { READ_MODEL_REGISTRY, ReadModelRegistry } from './read-model-registry';
import { retireSchema, type ReadModelSchema } from './read-model-schema';
import { openReadModelDatabase, READ_MODEL_DB } from './read-model.database';
import { nameCheckpointEvent, seedReadModel } from './read-model-seed';
import { loadSnapshotVerifyingKeys } from './snapshot-signature';

/** What one context contributes to the read model. */
export interface ReadModelFeature {
  /** The context's tables. */
  schema?: ReadModelSchema;
  /** The streams the context writes (id prefixes): this service's log, which the runner follows. */
  streams?: readonly string[];
  /** Providers the projections need (resolved as `inject`), made here so they exist first. */
  providers?: Provider[];
  inject?: InjectionToken[];
  /** Built once the tables exist, with the database and the `inject` tokens resolved. */
  projections?: (db: Database.Database, ...dependencies: never[]) => Projection[];
  /** The context's read models, built once its tables exist; exported to the whole app. */
  queries?: { provide: InjectionToken; useFactory: (db: Database.Database) => unknown }[];
}

@Module({})
class ReadModelFeatureModule {}

/**
 * The instance-local read model: its database, the registry the contexts contribute their
 * tables, projections and streams to (`ReadModelModule.forFeature` in each context's module), and
 * the runner that keeps it current. It knows none of the contexts.
 */
@Global()
@Module({
  providers: [
    {
      provide: READ_MODEL_DB,
      inject: [APP_CONFIG, EVENT_STORE],
      // DATA_DIR exists and is this instance's: the data-directory lock comes with the config.
      useFactory: async (config: AppConfig, store: EventStore) => {
        const file = join(config.DATA_DIR, 'read-model.db');
        // A key that cannot be read is a configuration error: the start fails, naming the file.
        const publicKeys = config.READ_MODEL_SEED_PUBLIC_KEY_FILE
          ? loadSnapshotVerifyingKeys(config.READ_MODEL_SEED_PUBLIC_KEY_FILE)
          : [];
        await seedReadModel({
          target: file,
          seed: config.READ_MODEL_SEED,
          publicKeys,
          store,
          logger: new Logger('ReadModel'),
        });
        const db = openReadModelDatabase(file);
        // Not awaited: the start does not wait on the store for it, and it names the event only while
        // the checkpoint is still at that position.
        void nameCheckpointEvent(db, store);
        return db;
      },
    },
    {
      // The read model's checkpoints run beside the event loop, not inside a projection's commit.
      provide: WalCheckpointer,
      inject: [READ_MODEL_DB],
      useFactory: (db: Database.Database) => {
        const logger = new Logger('ReadModel');
        return WalCheckpointer.start(db, { onFailure: (message) => logger.warn(message) });
      },
    },
    {
      provide: READ_MODEL_REGISTRY,
      inject: [READ_MODEL_DB],
      useFactory: (db: Database.Database) => new ReadModelRegistry(db),
    },
    {
      provide: ProjectionRunner,
      inject: [EVENT_STORE, READ_MODEL_DB, READ_MODEL_REGISTRY],
      useFactory: (store: EventStore, db: Database.Database, registry: ReadModelRegistry) => {
        const logger = new Logger('Projections');
        return new ProjectionRunner(store, db, registry, {
          error: (message, error) =>
            logger.error(`${message}: ${error instanceof Error ? error.message : String(error)}`),
          warn: (message) => logger.warn(message),
        });
      },
    },
  ],
  exports: [READ_MODEL_DB, READ_MODEL_REGISTRY, ProjectionRunner],
})
export class ReadModelModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(READ_MODEL_DB) private readonly db: Database.Database,
    private readonly checkpointer: WalCheckpointer,
  ) {}

  /** A context's part of the read model; import it in the context's module. */
  static forFeature(name: string, feature: ReadModelFeature): DynamicModule {
    const installed = Symbol(`ReadModelFeature(${name})`);
    const extra = feature.providers ?? [];
    const queries = feature.queries ?? [];
    return {
      module: ReadModelFeatureModule,
      global: true,
      providers: [
        ...extra,
        {
          provide: installed,
          inject: [READ_MODEL_REGISTRY, READ_MODEL_DB, ...(feature.inject ?? [])],
          useFactory: (
            registry: ReadModelRegistry,
            db: Database.Database,
            ...dependencies: unknown[]
          ) => {
            if (feature.schema) registry.install(feature.schema);
            registry.follow(feature.streams ?? []);
            registry.add(feature.projections?.(db, ...(dependencies as never[])) ?? []);
            return name;
          },
        },
        ...queries.map((query) => ({
          provide: query.provide,
          inject: [READ_MODEL_DB, installed],
          useFactory: (db: Database.Database) => query.useFactory(db),
        })),
      ],
      exports: [...extra.map(tokenOf), ...queries.map((query) => query.provide), installed],
    };
  }

  /**
   * A context's part of the read model while the context is switched off: its tables are dropped
   * before the runner starts, so switching it on again replays the store rather than leave a gap.
   */
  static withoutFeature(schema: ReadModelSchema): DynamicModule {
    const retired = Symbol(`ReadModelFeatureRetired(${schema.name})`);
    return {
      module: ReadModelFeatureModule,
      providers: [
        {
          provide: retired,
          inject: [READ_MODEL_DB],
          useFactory: (db: Database.Database) => {
            retireSchema(db, schema);
            return schema.name;
          },
        },
      ],
    };
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  /** Stops the subscription before the store is disposed, then the checkpoints and the database. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    await this.checkpointer.stop();
    this.db.close();
  }
}

function tokenOf(provider: Provider): InjectionToken {
  return typeof provider === 'function' ? provider : provider.provide;
}
