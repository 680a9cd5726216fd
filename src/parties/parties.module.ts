import { Module } from '@nestjs/common';
import { ExecutePartyCommandHandler } from './commands/execute-party-command';
import { PartiesController } from './http/parties.controller';
import { PartyDirectory } from './party-directory';

@Module({
  controllers: [PartiesController],
  providers: [ExecutePartyCommandHandler, PartyDirectory],
  exports: [PartyDirectory],
})
export class PartiesModule {}
