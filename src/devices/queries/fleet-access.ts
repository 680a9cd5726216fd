import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import { ROLES } from '../../shared/domain/roles';
import type { FleetFilter } from './device-sync-read-model';

/**
 * Fleet-wide sync lists, like battery lists: a party sees the batteries it owns or operates
 * (it must say which), platform administrators and auditors see the whole fleet.
 */
export function assertMayListFleet(actor: Actor, filter: FleetFilter): void {
  if (actor.roles.includes(ROLES.platformAdmin) || actor.roles.includes(ROLES.auditor)) return;
  const party = 'ownerId' in filter ? filter.ownerId : 'operatorId' in filter ? filter.operatorId : undefined;
  if (party !== actor.partyId) {
    throw forbidden('not-your-party', `You may list the batteries your party (${actor.partyId}) owns or operates only: set owner=${actor.partyId} or operator=${actor.partyId}`);
  }
}
