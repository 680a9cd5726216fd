import type { PartyKind } from '../../shared/domain/party-kind';
import { ROLES, type Role } from '../../shared/domain/roles';

/**
 * The role that administers a party's own settings (its webhook endpoints), by the party's kind:
 * the leading role the domain reference gives that kind of organisation. A role is something a
 * tenant hands its own people, so it counts only for the party the token names.
 */
export const ADMINISTERING_ROLE: Record<PartyKind, Role> = {
  lessor: ROLES.ownerAdmin,
  operator: ROLES.fleetManager,
  'cell-specialist': ROLES.cellEngineer,
  manufacturer: ROLES.provisioner,
  'service-provider': ROLES.technician,
  platform: ROLES.platformAdmin,
};
