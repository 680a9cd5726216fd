import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import {
  COMMAND_EXECUTOR,
  type CommandExecutor,
  type ExecuteOptions,
} from '../../command-handling/command-executor';
import type { CommandOutcome } from '../../command-handling/command-outcome';
import { policyDecider, type PolicyCommand } from '../domain/policy-decider';
import { POLICY_STREAM_ID } from '../domain/policy-events';

export class ExecutePolicyCommand extends Command<CommandOutcome> {
  constructor(
    readonly command: PolicyCommand,
    readonly options: ExecuteOptions,
  ) {
    super();
  }
}

@CommandHandler(ExecutePolicyCommand)
export class ExecutePolicyCommandHandler implements ICommandHandler<ExecutePolicyCommand> {
  constructor(@Inject(COMMAND_EXECUTOR) private readonly executor: CommandExecutor) {}

  execute({ command, options }: ExecutePolicyCommand): Promise<CommandOutcome> {
    return this.executor.execute(POLICY_STREAM_ID, policyDecider, command, options);
  }
}
