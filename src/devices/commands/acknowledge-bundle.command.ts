import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  COMMAND_EXECUTOR,
  type CommandExecutor,
  type ExecuteOptions,
} from '../../command-handling/command-executor';
import type { CommandOutcome } from '../../command-handling/command-outcome';
import type { AcknowledgeBundle } from '../domain/device-commands';
import { deviceDecider } from '../domain/device-decider';
import { deviceStreamId } from '../domain/device-events';

export class AcknowledgeBundleCommand extends Command<CommandOutcome> {
  constructor(
    readonly command: AcknowledgeBundle,
    readonly options: ExecuteOptions,
  ) {
    super();
  }
}

/** load → decide → append on the device's own stream, with the shared executor. */
@CommandHandler(AcknowledgeBundleCommand)
export class AcknowledgeBundleHandler implements ICommandHandler<AcknowledgeBundleCommand> {
  constructor(@Inject(COMMAND_EXECUTOR) private readonly executor: CommandExecutor) {}

  execute({ command, options }: AcknowledgeBundleCommand): Promise<CommandOutcome> {
    return this.executor.execute(deviceStreamId(command.serial), deviceDecider, command, options);
  }
}
