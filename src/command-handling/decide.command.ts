import { Inject, Optional } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Decider } from '../shared/domain/decider';
import type { DomainEvent } from '../shared/domain/domain-event';
import { PolicyProvider } from '../policy/application/policy-provider';
import type { CallContext, CommandContext } from '../policy/domain/command-context';
import { COMMAND_EXECUTOR, type CommandExecutor, type ExecuteOptions } from './command-executor';
import type { CommandOutcome } from './command-outcome';
import { COMMAND_OBSERVER, type CommandObserver } from './command-observer';
import { failureOf, resultOf } from './command-result';
import { inSpan } from '../tracing/spans';

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
    /** The metrics adapter when metrics are on; otherwise nothing is counted. */
    @Optional() @Inject(COMMAND_OBSERVER) private readonly observer?: CommandObserver,
  ) {}

  /**
   * One span per command (its type, stream, the revision it expected and the one it reached; the
   * store calls nest under it) and one count per outcome. A refusal is an answer, not a failure:
   * only `failed` marks the span as an error.
   */
  execute(decide: Decide): Promise<CommandOutcome> {
    const type = commandTypeOf(decide.command);
    const expected = decide.options.expectedRevision;
    const attributes = {
      'command.type': type,
      'command.stream': decide.streamId,
      ...(expected !== undefined ? { 'command.expected_revision': expected } : {}),
    };
    const isFailure = (error: unknown) => failureOf(error).result === 'failed';
    return inSpan(`command ${type}`, { attributes, isFailure }, async (span) => {
      try {
        const outcome = await this.decide(decide);
        const result = resultOf(outcome);
        this.observer?.commandEnded(type, result, '');
        span?.setAttributes({
          'command.result': result,
          'command.revision': outcome.revision,
          'command.events': outcome.events.length,
        });
        return outcome;
      } catch (error) {
        const { result, code } = failureOf(error);
        this.observer?.commandEnded(type, result, code);
        span?.setAttributes({ 'command.result': result, 'command.code': code });
        throw error;
      }
    });
  }

  private async decide({ streamId, decider, command, options }: Decide): Promise<CommandOutcome> {
    const policy = await this.policies.current();
    // The one place a command gets its policy: Undecided<C> is C less exactly this field.
    const undecided = command as unknown as { context: CallContext };
    const decided: unknown = { ...undecided, context: { ...undecided.context, policy } };
    return this.executor.execute(streamId, decider, decided, options);
  }
}

/** Every command of every context names itself in `type` (a closed set: the deciders' unions). */
function commandTypeOf(command: unknown): string {
  const type = (command as { type?: unknown }).type;
  return typeof type === 'string' ? type : 'unknown';
}
