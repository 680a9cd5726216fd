import { Module } from '@nestjs/common';
import { PartiesModule } from '../parties/parties.module';
import { ReadModelModule } from '../read-model/read-model.module';
import { BATTERY_STREAM_PREFIX } from './domain/battery-events';
import { BatteriesProjection } from './projections/batteries.projection';
import { BATTERIES_SCHEMA } from './projections/batteries.schema';
import { BATTERY_READ_MODEL, BatteryReadModel } from './queries/battery-read-model';
import { BatteryCommandsController } from './http/battery-commands.controller';
import { BatteryQueriesController } from './http/battery-queries.controller';
import { ExplainController } from './http/explain.controller';
import { PendingApprovalsController } from './http/pending-approvals.controller';
import { ProposalsController } from './http/proposals.controller';
import { TransfersController } from './http/transfers.controller';
import { GetBatteryHandler } from './queries/get-battery.query';
import { ListBatteriesHandler } from './queries/list-batteries.query';
import { PendingApprovalsHandler } from './queries/pending-approvals.query';

@Module({
  imports: [
    PartiesModule,
    ReadModelModule.forFeature('batteries', {
      schema: BATTERIES_SCHEMA,
      streams: [BATTERY_STREAM_PREFIX],
      projections: (db) => [new BatteriesProjection(db)],
      queries: [{ provide: BATTERY_READ_MODEL, useFactory: (db) => new BatteryReadModel(db) }],
    }),
  ],
  controllers: [
    BatteryCommandsController,
    TransfersController,
    ProposalsController,
    BatteryQueriesController,
    ExplainController,
    PendingApprovalsController,
  ],
  providers: [GetBatteryHandler, ListBatteriesHandler, PendingApprovalsHandler],
})
export class BatteriesModule {}
