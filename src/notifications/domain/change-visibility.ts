import type { Actor } from '../../shared/domain/actor';
import { hasOversight } from '../../shared/domain/oversight';
import type { RelationshipFacts } from '../../policy/domain/relationship';
import { mayRead } from '../../batteries/domain/access-policy';

/** What the visibility rule needs to know of one recorded event. */
export interface ChangeFacts {
  /** The party of the person (or device) who acted. */
  actorPartyId: string;
  /** The battery the event is about (its `battery-` or `device-` stream), or null. */
  serial: string | null;
}

/**
 * Whether a caller may see an event: the audit view's rule, built from the same two functions.
 * `GET /v1/audit` shows the platform's oversight everything and anyone else what people of their
 * own party did; `GET /v1/batteries/{serial}/history` shows a battery's whole stream to the
 * parties that may read that battery now (`mayRead`). `battery` is the battery's relationship
 * facts as the read model has them now, or undefined when there is none (or no battery at all).
 */
export function maySeeChange(
  actor: Actor,
  change: ChangeFacts,
  battery: RelationshipFacts | undefined,
): boolean {
  if (hasOversight(actor)) return true;
  if (change.actorPartyId === actor.partyId) return true;
  return change.serial !== null && battery !== undefined && mayRead(actor, battery);
}
