import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import {
  COMMAND_EXECUTOR,
  type CommandExecutor,
  type ExecuteOptions,
} from '../../command-handling/command-executor';
import type { CommandOutcome } from '../../command-handling/command-outcome';
import { partyDecider, type PartyCommand } from '../domain/party-decider';
import { partyStreamId } from '../domain/party-events';

export class ExecutePartyCommand extends Command<CommandOutcome> {
  constructor(
    readonly partyId: string,
    readonly command: PartyCommand,
    readonly options: ExecuteOptions,
  ) {
    super();
  }
}

@CommandHandler(ExecutePartyCommand)
export class ExecutePartyCommandHandler implements ICommandHandler<ExecutePartyCommand> {
  constructor(@Inject(COMMAND_EXECUTOR) private readonly executor: CommandExecutor) {}

  execute({ partyId, command, options }: ExecutePartyCommand): Promise<CommandOutcome> {
    return this.executor.execute(partyStreamId(partyId), partyDecider, command, options);
  }
}
