import type { Decider } from '../../shared/domain/decider';
import { conflict, notFound, ruleViolated } from '../../shared/domain/domain-error';
import { recordedBy, type EventMeta } from '../../shared/domain/domain-event';
import { mayAcceptTransfer, mayActAsOwner, mayCancelTransfer, mayIssueKey, mayProvision, mayRevokeKey } from './access-policy';
import type { BatteryCommand, IssueKey, ProvisionBattery } from './battery-commands';
import type { BatteryEvent, KeyRevoked, LeaseEnded } from './battery-events';
import { evolveBattery, initialBatteryState, type ActiveKey, type BatteryState, type ProvisionedBattery } from './battery-state';
import { assertCoherentHardLimits } from './hard-limits';
import { assertWithinHardLimits, defaultParameters } from './tunable-parameters';

export const batteryDecider: Decider<BatteryCommand, BatteryState, BatteryEvent> = {
  initialState: initialBatteryState,
  evolve: evolveBattery,
  decide(command, state) {
    if (command.type === 'ProvisionBattery') return provision(command, state);
    if (!state.provisioned) throw notFound('battery-not-found', 'No battery is provisioned under this serial');
    const battery = state;
    switch (command.type) {
      case 'RequestOwnershipTransfer': {
        const role = mayActAsOwner(command.context.actor, battery, 'Requesting an ownership transfer');
        assertNotStolen(battery, 'transferred');
        if (battery.openTransfer) {
          throw conflict('transfer-already-open', `Transfer ${battery.openTransfer.transferId} is already open for this battery`, {
            transferId: battery.openTransfer.transferId,
          });
        }
        if (command.to.kind !== 'lessor') throw ruleViolated('not-a-lessor', `Party ${command.to.partyId} is a ${command.to.kind}, not a lessor`);
        if (command.to.partyId === battery.ownerId) throw ruleViolated('already-owner', `Party ${command.to.partyId} already owns this battery`);
        return [
          {
            type: 'OwnershipTransferRequested',
            data: { transferId: command.transferId, fromOwnerId: battery.ownerId, toOwnerId: command.to.partyId },
            meta: recordedBy(command.context, role),
          },
        ];
      }
      case 'AcceptOwnershipTransfer': {
        const transfer = openTransfer(battery, command.transferId);
        const meta = recordedBy(command.context, mayAcceptTransfer(command.context.actor, transfer));
        assertNotStolen(battery, 'transferred');
        // One atomic append: the old owner's authority ends in the same write that moves ownership,
        // so there is no revision at which both the old and the new owner's keys hold.
        return [
          { type: 'OwnershipTransferAccepted', data: { transferId: transfer.transferId, toOwnerId: transfer.toOwnerId }, meta },
          ...endLease(battery, 'ownership-transferred', meta),
          ...revokeWhere(battery, (key) => key.authority.relationship === 'owner', 'ownership-transferred', 'Ownership transferred', meta),
          {
            type: 'OwnershipTransferred',
            data: { transferId: transfer.transferId, fromOwnerId: transfer.fromOwnerId, toOwnerId: transfer.toOwnerId },
            meta,
          },
        ];
      }
      case 'CancelOwnershipTransfer': {
        const transfer = openTransfer(battery, command.transferId);
        const role = mayCancelTransfer(command.context.actor, transfer);
        return [
          {
            type: 'OwnershipTransferCancelled',
            data: { transferId: transfer.transferId, cancelledByPartyId: command.context.actor.partyId },
            meta: recordedBy(command.context, role),
          },
        ];
      }
      case 'AssignOperator': {
        const role = mayActAsOwner(command.context.actor, battery, 'Assigning an operator');
        assertNotStolen(battery, 'leased');
        if (command.operator.kind !== 'operator') {
          throw ruleViolated('not-an-operator', `Party ${command.operator.partyId} is a ${command.operator.kind}, not an operator`);
        }
        if (battery.lease) {
          throw conflict('lease-already-active', `Battery is leased to ${battery.lease.operatorId} under lease ${battery.lease.leaseId}; end it first`, {
            leaseId: battery.lease.leaseId,
          });
        }
        return [
          { type: 'LeaseAssigned', data: { leaseId: command.leaseId, operatorId: command.operator.partyId }, meta: recordedBy(command.context, role) },
        ];
      }
      case 'EndLease': {
        const role = mayActAsOwner(command.context.actor, battery, 'Ending a lease');
        if (!battery.lease || battery.lease.leaseId !== command.leaseId) {
          throw notFound('lease-not-found', `Lease ${command.leaseId} is not the battery's current lease`);
        }
        return endLease(battery, 'ended-by-owner', recordedBy(command.context, role));
      }
      case 'IssueKey':
        return issueKey(command, battery);
      case 'RevokeKey': {
        const key = battery.keys.find((k) => k.keyId === command.keyId);
        if (!key) {
          if (battery.revokedKeyIds.includes(command.keyId)) throw conflict('key-already-revoked', `Key ${command.keyId} is already revoked`);
          throw notFound('key-not-found', `No key ${command.keyId} on this battery`);
        }
        const role = mayRevokeKey(command.context.actor, battery, key);
        return [revocation(key, 'revoked', command.reason, recordedBy(command.context, role))];
      }
      case 'ReportStolen': {
        const role = mayActAsOwner(command.context.actor, battery, 'Reporting a battery stolen');
        if (battery.status === 'stolen') throw conflict('already-reported-stolen', 'The battery is already reported stolen');
        return [{ type: 'BatteryReportedStolen', data: { reportedByPartyId: battery.ownerId }, meta: recordedBy(command.context, role) }];
      }
    }
  },
};

function provision(command: ProvisionBattery, state: BatteryState): BatteryEvent[] {
  const role = mayProvision(command.context.actor, command.manufacturer);
  if (state.provisioned) throw conflict('serial-already-provisioned', `Serial ${command.serial} is already provisioned`);
  if (command.firstOwner.kind !== 'lessor') {
    throw ruleViolated('not-a-lessor', `The first owner ${command.firstOwner.partyId} is a ${command.firstOwner.kind}, not a lessor`);
  }
  assertCoherentHardLimits(command.hardLimits);
  const parameters = command.parameters ?? defaultParameters(command.hardLimits);
  assertWithinHardLimits(parameters, command.hardLimits);
  return [
    {
      type: 'BatteryProvisioned',
      data: {
        serial: command.serial,
        model: command.model,
        chemistry: command.chemistry,
        manufacturerId: command.manufacturer.partyId,
        ownerId: command.firstOwner.partyId,
        hardLimits: command.hardLimits,
        parameters,
        deviceKey: command.deviceKey,
      },
      meta: recordedBy(command.context, role),
    },
  ];
}

function issueKey(command: IssueKey, battery: ProvisionedBattery): BatteryEvent[] {
  const grant = mayIssueKey(command.context.actor, battery, command.capabilities, command.holder);
  assertNotStolen(battery, 'given new keys');
  if (command.notAfter <= command.notBefore) throw ruleViolated('empty-validity-window', 'notAfter must be later than notBefore');
  if (command.notAfter <= command.context.now) throw ruleViolated('already-expired', 'notAfter is in the past');
  if (battery.keys.some((k) => k.keyId === command.keyId) || battery.revokedKeyIds.includes(command.keyId)) {
    throw conflict('key-id-taken', `Key id ${command.keyId} is already used on this battery`);
  }
  const sameKey = battery.keys.find((k) => k.publicKey.thumbprint === command.publicKey.thumbprint);
  if (sameKey) {
    throw conflict('public-key-already-active', `This public key is already active on this battery as key ${sameKey.keyId}`, { keyId: sameKey.keyId });
  }
  if (command.publicKey.thumbprint === battery.deviceKey.thumbprint) {
    throw ruleViolated('device-key-as-holder-key', "The battery's own identity key cannot be a holder key");
  }
  return [
    {
      type: 'KeyIssued',
      data: {
        keyId: command.keyId,
        holder: { personId: command.holder.personId, partyId: command.holder.party.partyId },
        publicKey: command.publicKey,
        capabilities: [...new Set(command.capabilities)],
        notBefore: command.notBefore.toISOString(),
        notAfter: command.notAfter.toISOString(),
        authority: grant.authority,
      },
      meta: recordedBy(command.context, grant.role),
    },
  ];
}

function openTransfer(battery: ProvisionedBattery, transferId: string) {
  if (!battery.openTransfer || battery.openTransfer.transferId !== transferId) {
    throw notFound('transfer-not-found', `Transfer ${transferId} is not open for this battery`);
  }
  return battery.openTransfer;
}

/** Ending a lease ends the operator's authority, and with it every key issued under it. */
function endLease(battery: ProvisionedBattery, cause: LeaseEnded['data']['cause'], meta: EventMeta): BatteryEvent[] {
  const lease = battery.lease;
  if (!lease) return [];
  const keyCause = cause === 'ownership-transferred' ? 'ownership-transferred' : 'lease-ended';
  return [
    { type: 'LeaseEnded', data: { leaseId: lease.leaseId, operatorId: lease.operatorId, cause }, meta },
    ...revokeWhere(
      battery,
      (key) => key.authority.relationship === 'operator' && key.authority.leaseId === lease.leaseId,
      keyCause,
      `Lease ${lease.leaseId} ended`,
      meta,
    ),
  ];
}

function revokeWhere(
  battery: ProvisionedBattery,
  predicate: (key: ActiveKey) => boolean,
  cause: KeyRevoked['data']['cause'],
  reason: string,
  meta: EventMeta,
): KeyRevoked[] {
  return battery.keys.filter(predicate).map((key) => revocation(key, cause, reason, meta));
}

function revocation(key: ActiveKey, cause: KeyRevoked['data']['cause'], reason: string, meta: EventMeta): KeyRevoked {
  return { type: 'KeyRevoked', data: { keyId: key.keyId, thumbprint: key.publicKey.thumbprint, cause, reason }, meta };
}

function assertNotStolen(battery: ProvisionedBattery, what: string): void {
  if (battery.status === 'stolen') throw conflict('battery-stolen', `A battery reported stolen cannot be ${what}`);
}
