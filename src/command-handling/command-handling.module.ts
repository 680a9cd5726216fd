import { Global, Module } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { ProjectionRunner } from '../read-model/projection-runner';
import { READ_MODEL_DB } from '../read-model/read-model.database';
import { COMMAND_EXECUTOR, CommandExecutor } from './command-executor';

@Global()
@Module({
  providers: [
    {
      provide: COMMAND_EXECUTOR,
      inject: [EVENT_STORE, READ_MODEL_DB, ProjectionRunner, APP_CONFIG],
      useFactory: (
        store: EventStore,
        db: Database.Database,
        runner: ProjectionRunner,
        config: AppConfig,
      ) => new CommandExecutor(store, db, runner, config.READ_YOUR_WRITES_TIMEOUT_MS),
    },
  ],
  exports: [COMMAND_EXECUTOR],
})
export class CommandHandlingModule {}
