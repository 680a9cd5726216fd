import type { Actor, RecordedActor } from './actor';

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

/** What a decision knows about its call: who, when, why, for which request, under which policy version. */
export interface DecisionFacts {
  actor: Actor;
  now: Date;
  requestId: string;
  reason?: string;
  policy: { version: number };
}

/** Stamps an event with who did it, in which role, when, why and for which request. */
export function recordedBy(context: DecisionFacts, role: string): EventMeta {
  return {
    actor: { personId: context.actor.personId, partyId: context.actor.partyId, role },
    occurredAt: context.now.toISOString(),
    requestId: context.requestId,
    policyVersion: context.policy.version,
    ...(context.reason ? { reason: context.reason } : {}),
  };
}
