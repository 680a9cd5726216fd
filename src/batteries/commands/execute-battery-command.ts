import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import {
  COMMAND_EXECUTOR,
  type CommandExecutor,
  type ExecuteOptions,
} from '../../command-handling/command-executor';
import type { CommandOutcome } from '../../command-handling/command-outcome';
import { batteryDecider } from '../domain/battery-decider';
import type { BatteryCommand } from '../domain/battery-commands';
import { batteryStreamId } from '../domain/battery-events';

/** Any battery use case: the decider tells them apart, the shell runs them all the same way. */
export class ExecuteBatteryCommand extends Command<CommandOutcome> {
  constructor(
    readonly serial: string,
    readonly command: BatteryCommand,
    readonly options: ExecuteOptions,
  ) {
    super();
  }
}

@CommandHandler(ExecuteBatteryCommand)
export class ExecuteBatteryCommandHandler implements ICommandHandler<ExecuteBatteryCommand> {
  constructor(@Inject(COMMAND_EXECUTOR) private readonly executor: CommandExecutor) {}

  execute({ serial, command, options }: ExecuteBatteryCommand): Promise<CommandOutcome> {
    return this.executor.execute(batteryStreamId(serial), batteryDecider, command, options);
  }
}
