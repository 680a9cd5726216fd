import { Module } from '@nestjs/common';
import { PartiesModule } from '../parties/parties.module';
import { ExecuteBatteryCommandHandler } from './commands/execute-battery-command';
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
  imports: [PartiesModule],
  controllers: [
    BatteryCommandsController,
    TransfersController,
    ProposalsController,
    BatteryQueriesController,
    ExplainController,
    PendingApprovalsController,
  ],
  providers: [
    ExecuteBatteryCommandHandler,
    GetBatteryHandler,
    ListBatteriesHandler,
    PendingApprovalsHandler,
  ],
})
export class BatteriesModule {}
