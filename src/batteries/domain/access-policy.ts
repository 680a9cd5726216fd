import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import type { PartyFacts } from '../../shared/domain/party-kind';
import { ROLES } from '../../shared/domain/roles';
import { layerOf, type Capability } from './capability-catalogue';
import type { KeyAuthority } from './battery-events';
import type { ActiveKey, OpenTransfer, ProvisionedBattery } from './battery-state';

/**
 * Who may do what to a battery: the default rules of shared/design/domain.md, kept in this one
 * place. Each rule either names the role that authorised the action (it goes into the event) or
 * throws a `forbidden` error that says why not.
 */

function requireRole(actor: Actor, partyId: string, role: string, what: string): string {
  if (actor.partyId !== partyId) {
    throw forbidden('not-your-party', `${what} is for party ${partyId}; you act for ${actor.partyId}`, { requiredParty: partyId, requiredRole: role });
  }
  if (!actor.roles.includes(role)) {
    throw forbidden('role-required', `${what} needs the role ${role}`, { requiredParty: partyId, requiredRole: role });
  }
  return role;
}

export function mayProvision(actor: Actor, manufacturer: PartyFacts): string {
  if (manufacturer.kind !== 'manufacturer') {
    throw forbidden('not-a-manufacturer', `Party ${manufacturer.partyId} is a ${manufacturer.kind}, not a manufacturer`);
  }
  return requireRole(actor, manufacturer.partyId, ROLES.provisioner, 'Provisioning a battery');
}

/** Transfers, leases and theft reports: the owner's business alone. */
export function mayActAsOwner(actor: Actor, battery: ProvisionedBattery, what: string): string {
  return requireRole(actor, battery.ownerId, ROLES.ownerAdmin, what);
}

export function mayAcceptTransfer(actor: Actor, transfer: OpenTransfer): string {
  return requireRole(actor, transfer.toOwnerId, ROLES.ownerAdmin, 'Accepting a transfer');
}

export function mayCancelTransfer(actor: Actor, transfer: OpenTransfer): string {
  const side = actor.partyId === transfer.toOwnerId ? transfer.toOwnerId : transfer.fromOwnerId;
  return requireRole(actor, side, ROLES.ownerAdmin, 'Cancelling a transfer');
}

export interface IssuanceGrant {
  role: string;
  authority: KeyAuthority;
}

/**
 * The issuer matrix. The owner issues layers 1–2 to anyone; the operator issues layer 1 to its
 * own people under its lease; layer 3 waits for approvals (policy engine), layer 4 is never
 * issued. An issuer never issues to themselves: issuing authority is not holding authority.
 */
export function mayIssueKey(
  actor: Actor,
  battery: ProvisionedBattery,
  capabilities: readonly Capability[],
  holder: { personId: string; party: PartyFacts },
): IssuanceGrant {
  const physical = capabilities.filter((c) => layerOf(c) === 4);
  if (physical.length > 0) {
    throw forbidden('physical-harm-prohibited', `Capabilities beyond the hard limits are prohibited for everyone: ${physical.join(', ')}`, {
      capabilities: physical,
    });
  }
  const financial = capabilities.filter((c) => layerOf(c) === 3);
  if (financial.length > 0) {
    throw forbidden('approval-required', `Layer 3 capabilities need multi-party approval and cannot be issued directly: ${financial.join(', ')}`, {
      capabilities: financial,
    });
  }
  if (holder.personId === actor.personId && holder.party.partyId === actor.partyId) {
    throw forbidden('self-issuance', 'An issuer may not issue a key to themselves');
  }
  if (actor.partyId === battery.ownerId) {
    const role = requireRole(actor, battery.ownerId, ROLES.ownerAdmin, 'Issuing a key as owner');
    return { role, authority: { relationship: 'owner', partyId: battery.ownerId } };
  }
  if (battery.lease && actor.partyId === battery.lease.operatorId) {
    const role = requireRole(actor, battery.lease.operatorId, ROLES.fleetManager, 'Issuing a key as operator');
    const aboveUserLayer = capabilities.filter((c) => layerOf(c) > 1);
    if (aboveUserLayer.length > 0) {
      throw forbidden('operator-layer-exceeded', `An operator issues layer 1 capabilities only: ${aboveUserLayer.join(', ')}`, {
        capabilities: aboveUserLayer,
      });
    }
    if (holder.party.partyId !== battery.lease.operatorId) {
      throw forbidden('operator-issues-to-own-people', `An operator issues keys to its own people only, not to party ${holder.party.partyId}`);
    }
    return { role, authority: { relationship: 'operator', partyId: battery.lease.operatorId, leaseId: battery.lease.leaseId } };
  }
  throw forbidden('no-relationship', `Party ${actor.partyId} is neither the owner nor the current operator of battery ${battery.serial}`);
}

/** The owner may revoke any key on its battery; an operator the keys issued under its own lease. */
export function mayRevokeKey(actor: Actor, battery: ProvisionedBattery, key: ActiveKey): string {
  if (actor.partyId === battery.ownerId) return requireRole(actor, battery.ownerId, ROLES.ownerAdmin, 'Revoking a key as owner');
  if (key.authority.relationship === 'operator' && actor.partyId === key.authority.partyId) {
    return requireRole(actor, key.authority.partyId, ROLES.fleetManager, 'Revoking a key as operator');
  }
  throw forbidden('no-relationship', `Party ${actor.partyId} may not revoke key ${key.keyId}`);
}

/** Reading a battery: the parties related to it, and the platform's administrators and auditors. */
export function mayRead(actor: Actor, battery: { ownerId: string; operatorId: string | null; manufacturerId: string }): boolean {
  if (actor.roles.includes(ROLES.platformAdmin) || actor.roles.includes(ROLES.auditor)) return true;
  return [battery.ownerId, battery.operatorId, battery.manufacturerId].includes(actor.partyId);
}
