import type { Actor } from '../../shared/domain/actor';
import { forbidden, notFound } from '../../shared/domain/domain-error';
import { hasOversight } from '../../shared/domain/oversight';
import {
  relationshipsOf,
  type Relationship,
  type RelationshipFacts,
} from '../../policy/domain/relationship';

/** The relationships that let a party read a battery: the parties that hold it, make it, or tune it. */
const READING_RELATIONSHIPS: readonly Relationship[] = [
  'owner',
  'operator',
  'manufacturer',
  'cell-specialist',
];

/**
 * Who may read a battery: the parties related to it, and the platform's oversight (see
 * hasOversight). Who may *change* it is the policy's business (src/policy).
 */
export function mayRead(actor: Actor, facts: RelationshipFacts): boolean {
  if (hasOversight(actor)) return true;
  return relationshipsOf(actor.partyId, facts).some((relationship) =>
    READING_RELATIONSHIPS.includes(relationship),
  );
}

/**
 * The one answer for a battery the caller may not see, whether or not it exists: an unrelated
 * party must not learn from a 403 that a serial is provisioned (the device routes do the same).
 */
export function batteryNotFound(serial: string) {
  return notFound('battery-not-found', `No battery is provisioned under serial ${serial}`);
}

/** Which batteries a list is about: those of one owner, of one operator, or all of them. */
export type FleetFilter = { ownerId: string } | { operatorId: string } | Record<string, never>;

/**
 * Lists across batteries (batteries, sync status, exposure): a party lists those it owns or
 * operates, and must say which; the platform's oversight lists the whole fleet.
 */
export function assertMayListFleet(actor: Actor, filter: FleetFilter): void {
  if (hasOversight(actor)) return;
  const party =
    'ownerId' in filter ? filter.ownerId : 'operatorId' in filter ? filter.operatorId : undefined;
  if (party !== actor.partyId) {
    throw forbidden(
      'not-your-party',
      `You may list the batteries your party (${actor.partyId}) owns or operates only: set owner=${actor.partyId} or operator=${actor.partyId}`,
    );
  }
}
