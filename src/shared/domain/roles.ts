/** Roles a person can hold for their party (see shared/design/domain.md). */
export const ROLES = {
  provisioner: 'provisioner',
  firmwareSigner: 'firmware-signer',
  ownerAdmin: 'owner-admin',
  fleetFinance: 'fleet-finance',
  fleetManager: 'fleet-manager',
  driver: 'driver',
  cellEngineer: 'cell-engineer',
  technician: 'technician',
  platformAdmin: 'platform-admin',
  auditor: 'auditor',
} as const;
export type Role = (typeof ROLES)[keyof typeof ROLES];

/** Platform administrators and auditors see every battery and every audit entry; they never act as owners. */
export function hasOversight(actor: { roles: readonly string[] }): boolean {
  return actor.roles.includes(ROLES.platformAdmin) || actor.roles.includes(ROLES.auditor);
}
