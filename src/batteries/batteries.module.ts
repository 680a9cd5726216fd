import { Module } from '@nestjs/common';
import { PartiesModule } from '../parties/parties.module';
import { ExecuteBatteryCommandHandler } from './commands/execute-battery-command';
import { BatteryCommandsController } from './http/battery-commands.controller';
import { BatteryQueriesController } from './http/battery-queries.controller';
import { ProposalsController } from './http/proposals.controller';
import { TransfersController } from './http/transfers.controller';
import { GetBatteryHandler } from './queries/get-battery.query';
import { ListBatteriesHandler } from './queries/list-batteries.query';

@Module({
  imports: [PartiesModule],
  controllers: [
    BatteryCommandsController,
    TransfersController,
    ProposalsController,
    BatteryQueriesController,
  ],
  providers: [ExecuteBatteryCommandHandler, GetBatteryHandler, ListBatteriesHandler],
})
export class BatteriesModule {}
