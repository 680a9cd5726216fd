import type { Decider } from '../../shared/domain/decider';
import { conflict, notFound, ruleViolated } from '../../shared/domain/domain-error';
import { recordedBy } from '../../shared/domain/domain-event';
import { evaluateAction, requireAllowed } from '../../policy/domain/policy-evaluation';
import { relationshipsOf } from '../../policy/domain/relationship';
import type { BatteryCommand, ProvisionBattery } from './battery-commands';
import type { BatteryEvent } from './battery-events';
import { reconcileAuthority } from './authority-reconciliation';
import { assertNotStolen, relationshipFacts } from './battery-facts';
import { evolveBattery, initialBatteryState, type BatteryState } from './battery-state';
import { assertPlausibleHardLimits } from './chemistry-envelopes';
import { assertCoherentHardLimits } from './hard-limits';
import { issueKey, revokeKey } from './key-decisions';
import {
  approveProposal,
  proposeParameterChange,
  rejectProposal,
  requestRecovery,
  withdrawProposal,
} from './proposal-decisions';
import {
  approveTransfer,
  cancelTransfer,
  endLease,
  endSpecialistContract,
  requestTransfer,
} from './transfer-decisions';
import { assertWithinHardLimits, defaultParameters } from './tunable-parameters';

/** One battery's stream: every decision about it, under the policy the command carries. */
export const batteryDecider: Decider<BatteryCommand, BatteryState, BatteryEvent> = {
  initialState: initialBatteryState,
  evolve: evolveBattery,
  decide(command, state) {
    const events = decideOnBattery(command, state);
    const after = events.reduce(evolveBattery, state);
    if (!after.provisioned || events.length === 0) return events;
    return [
      ...events,
      ...reconcileAuthority(after, command.context.policy, events[events.length - 1].meta),
    ];
  },
};

function decideOnBattery(command: BatteryCommand, state: BatteryState): BatteryEvent[] {
  if (command.type === 'ProvisionBattery') return provision(command, state);
  const { context } = command;
  // A party with no relationship to the battery hears what it would hear of a serial nobody
  // provisioned: a 403 would tell it that this serial exists.
  if (
    !state.provisioned ||
    relationshipsOf(context.actor.partyId, relationshipFacts(state)).length === 0
  ) {
    throw notFound('battery-not-found', 'No battery is provisioned under this serial');
  }
  const battery = state;
  const allowed = (action: Parameters<typeof evaluateAction>[1]) =>
    requireAllowed(
      evaluateAction(context.policy, action, context.actor, relationshipFacts(battery)),
    ).role;
  switch (command.type) {
    case 'RequestOwnershipTransfer':
      return requestTransfer(command, battery);
    case 'ApproveOwnershipTransfer':
      return approveTransfer(command, battery);
    case 'CancelOwnershipTransfer':
      return cancelTransfer(command, battery);
    case 'AssignOperator': {
      const role = allowed('lease.assign');
      assertNotStolen(battery, 'leased');
      if (command.operator.kind !== 'operator') {
        throw ruleViolated(
          'not-an-operator',
          `Party ${command.operator.partyId} is a ${command.operator.kind}, not an operator`,
        );
      }
      if (battery.lease) {
        throw conflict(
          'lease-already-active',
          `Battery is leased to ${battery.lease.operatorId} under lease ${battery.lease.leaseId}; end it first`,
          {
            leaseId: battery.lease.leaseId,
          },
        );
      }
      return [
        {
          type: 'LeaseAssigned',
          data: { leaseId: command.leaseId, operatorId: command.operator.partyId },
          meta: recordedBy(context, role),
        },
      ];
    }
    case 'EndLease': {
      const role = allowed('lease.end');
      if (!battery.lease || battery.lease.leaseId !== command.leaseId) {
        throw notFound(
          'lease-not-found',
          `Lease ${command.leaseId} is not the battery's current lease`,
        );
      }
      return endLease(battery, 'ended-by-owner', recordedBy(context, role));
    }
    case 'ContractSpecialist': {
      const role = allowed('specialist.contract');
      if (command.specialist.kind !== 'cell-specialist') {
        throw ruleViolated(
          'not-a-cell-specialist',
          `Party ${command.specialist.partyId} is a ${command.specialist.kind}, not a cell specialist`,
        );
      }
      if (battery.specialist) {
        throw conflict(
          'specialist-already-contracted',
          `Specialist ${battery.specialist.specialistId} is contracted; end that contract first`,
        );
      }
      return [
        {
          type: 'SpecialistContracted',
          data: { contractId: command.contractId, specialistId: command.specialist.partyId },
          meta: recordedBy(context, role),
        },
      ];
    }
    case 'EndSpecialistContract': {
      const role = allowed('specialist.end');
      if (!battery.specialist || battery.specialist.contractId !== command.contractId) {
        throw notFound(
          'contract-not-found',
          `Contract ${command.contractId} is not the battery's current specialist contract`,
        );
      }
      return endSpecialistContract(battery, 'ended-by-owner', recordedBy(context, role));
    }
    case 'IssueKey':
      return issueKey(command, battery);
    case 'RevokeKey':
      return revokeKey(command, battery);
    case 'ReportStolen': {
      const role = allowed('theft.report');
      if (battery.status === 'stolen')
        throw conflict('already-reported-stolen', 'The battery is already reported stolen');
      return [
        {
          type: 'BatteryReportedStolen',
          data: { reportedByPartyId: battery.ownerId },
          meta: recordedBy(context, role),
        },
      ];
    }
    case 'ProposeParameterChange':
      return proposeParameterChange(command, battery);
    case 'RequestRecovery':
      return requestRecovery(command, battery);
    case 'ApproveProposal':
      return approveProposal(command, battery);
    case 'RejectProposal':
      return rejectProposal(command, battery);
    case 'WithdrawProposal':
      return withdrawProposal(command, battery);
  }
}

function provision(command: ProvisionBattery, state: BatteryState): BatteryEvent[] {
  if (command.manufacturer.kind !== 'manufacturer') {
    throw ruleViolated(
      'not-a-manufacturer',
      `Party ${command.manufacturer.partyId} is a ${command.manufacturer.kind}, not a manufacturer`,
    );
  }
  const { role } = requireAllowed(
    evaluateAction(command.context.policy, 'battery.provision', command.context.actor, {
      manufacturerId: command.manufacturer.partyId,
    }),
  );
  if (state.provisioned)
    throw conflict('serial-already-provisioned', `Serial ${command.serial} is already provisioned`);
  if (command.deviceKeyRegisteredTo && command.deviceKeyRegisteredTo !== command.serial) {
    throw conflict(
      'device-key-already-registered',
      `This device key is already the identity of battery ${command.deviceKeyRegisteredTo}: a device key identifies one battery`,
    );
  }
  if (command.firstOwner.kind !== 'lessor') {
    throw ruleViolated(
      'not-a-lessor',
      `The first owner ${command.firstOwner.partyId} is a ${command.firstOwner.kind}, not a lessor`,
    );
  }
  assertCoherentHardLimits(command.hardLimits);
  assertPlausibleHardLimits(command.chemistry, command.hardLimits);
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
