import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Decider } from '../shared/domain/decider';
import type { DomainEvent } from '../shared/domain/domain-event';
import { PolicyProvider } from '../policy/application/policy-provider';
import type { CallContext, CommandContext } from '../policy/domain/command-context';
import { COMMAND_EXECUTOR, type CommandExecutor, type ExecuteOptions } from './command-executor';
import type { CommandOutcome } from './command-outcome';

/** A command as a request makes it: everything but the policy it will be decided under. */
export type Undecided<C> = C extends { context: CommandContext }
  ? Omit<C, 'context'> & { context: CallContext }
  : never;

/**
 * Any use case of any context: which stream, which decider, which command. The one command the
 * bus carries; there is no handler per context.
 */
export class Decide<
  C = unknown,
  S = unknown,
  E extends DomainEvent = DomainEvent,
> extends Command<CommandOutcome> {
  constructor(
    readonly streamId: string,
    readonly decider: Decider<C, S, E>,
    readonly command: Undecided<C>,
    readonly options: ExecuteOptions,
  ) {
    super();
  }
}

/**
 * load → decide → append, under the policy in force now: read from its stream at the moment of
 * the decision and handed to the command explicitly, never carried on the request.
 */
@CommandHandler(Decide)
export class DecideHandler implements ICommandHandler<Decide> {
  constructor(
    @Inject(COMMAND_EXECUTOR) private readonly executor: CommandExecutor,
    private readonly policies: PolicyProvider,
  ) {}

  async execute({ streamId, decider, command, options }: Decide): Promise<CommandOutcome> {
    const policy = await this.policies.current();
    // The one place a command gets its policy: Undecided<C> is C less exactly this field.
    const undecided = command as unknown as { context: CallContext };
    const decided: unknown = { ...undecided, context: { ...undecided.context, policy } };
    return this.executor.execute(streamId, decider, decided, options);
  }
}
