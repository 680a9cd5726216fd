import type { Actor } from './actor';
import { ROLES } from './roles';

/** The party that operates this service. It registers parties and approves policy; it never owns. */
export const PLATFORM_PARTY_ID = 'platform';

/** Roles that see every tenant, and only when the platform party itself gives them. */
const OVERSIGHT_ROLES: readonly string[] = [ROLES.platformAdmin, ROLES.auditor];

/**
 * Oversight (reading every tenant's batteries, histories and audit) belongs to the platform's own
 * people: a platform administrator, or an auditor the platform registers in its party. A role is
 * something any tenant hands its own people, so a role alone never grants it; the party the
 * identity provider vouches for must be the platform.
 */
export function hasOversight(actor: Pick<Actor, 'partyId' | 'roles'>): boolean {
  return (
    actor.partyId === PLATFORM_PARTY_ID &&
    actor.roles.some((role) => OVERSIGHT_ROLES.includes(role))
  );
}
