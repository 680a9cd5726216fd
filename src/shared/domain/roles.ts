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
