import { DomainError } from '../shared/domain/domain-error';
import { EventStoreUnavailableError } from '../event-store/event-store.errors';
import { ConcurrencyConflictError, IdempotencyKeyReusedError } from './command-errors';
import type { CommandOutcome } from './command-outcome';

/**
 * How a command ended, as an operator counts it: recorded events (`applied`), changed nothing
 * (`unchanged`), answered a retried Idempotency-Key with its first answer (`replayed`), refused by
 * a rule with a stable problem code (`refused`), lost a race or an If-Match (`conflict`), or could
 * not be decided at all (`failed`: store unreachable, a bug).
 */
export type CommandResult =
  'applied' | 'unchanged' | 'replayed' | 'refused' | 'conflict' | 'failed';

export function resultOf(outcome: CommandOutcome): CommandResult {
  if (outcome.replayed) return 'replayed';
  return outcome.events.length === 0 ? 'unchanged' : 'applied';
}

/**
 * A command's error as a result and the problem code its answer carries (the same codes as the
 * problem+json `code`, a closed set, so the metric's label cannot grow without bound).
 */
export function failureOf(error: unknown): { result: CommandResult; code: string } {
  if (error instanceof DomainError) return { result: 'refused', code: error.code };
  if (error instanceof IdempotencyKeyReusedError)
    return { result: 'refused', code: 'idempotency-key-reused' };
  if (error instanceof ConcurrencyConflictError)
    return { result: 'conflict', code: 'concurrency-conflict' };
  if (error instanceof EventStoreUnavailableError)
    return { result: 'failed', code: 'store-unavailable' };
  return { result: 'failed', code: 'internal-error' };
}
