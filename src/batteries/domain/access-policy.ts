import type { Actor } from '../../shared/domain/actor';
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
