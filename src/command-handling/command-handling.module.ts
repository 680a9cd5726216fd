import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { ProjectionRunner } from '../read-model/projection-runner';
import { ReadModelModule } from '../read-model/read-model.module';
import { COMMAND_EXECUTOR, CommandExecutor } from './command-executor';
import { DecideHandler } from './decide.command';
import { IdempotencyProjection } from './idempotency/idempotency.projection';
import { IDEMPOTENCY_RECORDS, IdempotencyRecords } from './idempotency/idempotency-records';
import { IDEMPOTENCY_SCHEMA } from './idempotency/idempotency.schema';

@Global()
@Module({
  imports: [
    ReadModelModule.forFeature('idempotency', {
      schema: IDEMPOTENCY_SCHEMA,
      projections: (db) => [new IdempotencyProjection(db)],
      queries: [{ provide: IDEMPOTENCY_RECORDS, useFactory: (db) => new IdempotencyRecords(db) }],
    }),
  ],
  providers: [
    DecideHandler,
    {
      provide: COMMAND_EXECUTOR,
      inject: [EVENT_STORE, IDEMPOTENCY_RECORDS, ProjectionRunner, APP_CONFIG],
      useFactory: (
        store: EventStore,
        idempotency: IdempotencyRecords,
        runner: ProjectionRunner,
        config: AppConfig,
      ) => new CommandExecutor(store, idempotency, runner, config.READ_YOUR_WRITES_TIMEOUT_MS),
    },
  ],
  exports: [COMMAND_EXECUTOR],
})
export class CommandHandlingModule {}
