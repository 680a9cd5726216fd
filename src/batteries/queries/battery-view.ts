import type { BatteryRow } from './battery-read-model';

/** A battery as the API shows it: current owner, operator, active keys, parameters, status, version. */
export function batteryView(row: BatteryRow) {
  const state = row.state;
  return {
    serial: row.serial,
    model: state.model,
    chemistry: state.chemistry,
    manufacturerId: state.manufacturerId,
    ownerId: state.ownerId,
    lease: state.lease,
    specialist: state.specialist,
    status: state.status,
    openTransfer: state.openTransfer,
    proposals: state.proposals,
    hardLimits: state.hardLimits,
    parameters: state.parameters,
    deviceKey: state.deviceKey,
    keys: state.keys,
    revision: row.revision,
    bundleVersion: row.bundleVersion,
    position: row.position.toString(),
  };
}
export type BatteryView = ReturnType<typeof batteryView>;
