import type { Actor } from '../../shared/domain/actor';
import type { ActivePolicy } from './policy-document';

/**
 * What every command carries besides its own fields, above all the policy it is decided under:
 * every context's decisions are judged by the rule book, so this lives with it. Time and ids come in from outside so the
 * decision functions stay pure and replayable.
 */
export interface CommandContext {
  actor: Actor;
  now: Date;
  /** Correlates every event with the request that caused it. */
  requestId: string;
  /** Why, in the actor's words; optional. */
  reason?: string;
  /** The policy in force: decisions follow it and every event names its version. */
  policy: ActivePolicy;
}

/** What a request knows of a command's context: all of it but the policy, which the shell adds. */
export type CallContext = Omit<CommandContext, 'policy'>;
