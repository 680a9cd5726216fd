import type { RecordedActor } from './actor';
import type { CommandContext } from './command-context';

/** The audit facts every event carries, complete by construction. */
export interface EventMeta {
  actor: RecordedActor;
  occurredAt: string;
  requestId: string;
  reason?: string;
  /** Version of the policy the decision was made under. */
  policyVersion: number;
}

export interface DomainEvent<Type extends string = string, Data extends object = object> {
  type: Type;
  data: Data;
  meta: EventMeta;
}

/** Stamps an event with who did it, in which role, when, why and for which request. */
export function recordedBy(context: CommandContext, role: string): EventMeta {
  return {
    actor: { personId: context.actor.personId, partyId: context.actor.partyId, role },
    occurredAt: context.now.toISOString(),
    requestId: context.requestId,
    policyVersion: context.policy.version,
    ...(context.reason ? { reason: context.reason } : {}),
  };
}
