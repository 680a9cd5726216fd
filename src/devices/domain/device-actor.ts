import type { Actor } from '../../shared/domain/actor';

/** The role a device acts in; no person token carries it to anything a device may do. */
export const DEVICE_ROLE = 'device';

/**
 * Who a device is in the audit trail: the person is `device:<serial>` (never a human's id), acting
 * for the manufacturer that registered its identity key, in the role `device`. Parties related
 * to the battery, the manufacturer included, already see its history.
 */
export function deviceActor(serial: string, manufacturerId: string): Actor {
  return { personId: `device:${serial}`, partyId: manufacturerId, roles: [DEVICE_ROLE] };
}
