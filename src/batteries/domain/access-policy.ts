import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import { hasOversight } from '../../shared/domain/roles';

/**
 * Who may read a battery: the parties related to it, and the platform's administrators and
 * auditors. Who may *change* it is the policy's business (src/policy).
 */
export function mayRead(
  actor: Actor,
  battery: { ownerId: string; operatorId: string | null; manufacturerId: string; state?: { specialist?: { specialistId: string } | null } },
): boolean {
  if (hasOversight(actor)) return true;
  return [battery.ownerId, battery.operatorId, battery.manufacturerId, battery.state?.specialist?.specialistId].includes(actor.partyId);
}

/** Which batteries a list is about: those of one owner, of one operator, or all of them. */
export type FleetFilter = { ownerId: string } | { operatorId: string } | Record<string, never>;

/**
 * Lists across batteries (batteries, sync status, exposure): a party lists those it owns or
 * operates, and must say which; platform administrators and auditors list the whole fleet.
 */
export function assertMayListFleet(actor: Actor, filter: FleetFilter): void {
  if (hasOversight(actor)) return;
  const party = 'ownerId' in filter ? filter.ownerId : 'operatorId' in filter ? filter.operatorId : undefined;
  if (party !== actor.partyId) {
    throw forbidden('not-your-party', `You may list the batteries your party (${actor.partyId}) owns or operates only: set owner=${actor.partyId} or operator=${actor.partyId}`);
  }
}
