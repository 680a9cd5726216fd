import { ruleViolated } from '../../shared/domain/domain-error';
import type { HardLimits } from './hard-limits';

/** Parameters a valid bundle may change on the device (rewritable repository). */
export interface TunableParameters {
  socMinPercent: number;
  socMaxPercent: number;
  chargeCellVoltageMaxV: number;
  chargeCurrentLimitA: number;
  dischargeCurrentLimitA: number;
}

/** Without explicit values a battery starts at its hard limits and the full state-of-charge range. */
export function defaultParameters(limits: HardLimits): TunableParameters {
  return {
    socMinPercent: 0,
    socMaxPercent: 100,
    chargeCellVoltageMaxV: limits.cellVoltageMaxV,
    chargeCurrentLimitA: limits.chargeCurrentMaxA,
    dischargeCurrentLimitA: limits.dischargeCurrentMaxA,
  };
}

/**
 * The typo guard: a value outside the hard limits is refused whatever approvals it carries
 * (4.25 V typed as 5.25 V is an error, not a fire).
 */
export function assertWithinHardLimits(parameters: TunableParameters, limits: HardLimits): void {
  const violations: string[] = [];
  if (!(
    parameters.socMinPercent >= 0 &&
    parameters.socMaxPercent <= 100 &&
    parameters.socMinPercent < parameters.socMaxPercent
  )) {
    violations.push(
      `state-of-charge window ${parameters.socMinPercent}–${parameters.socMaxPercent} % must lie within 0–100 % with min below max`,
    );
  }
  if (
    parameters.chargeCellVoltageMaxV > limits.cellVoltageMaxV ||
    parameters.chargeCellVoltageMaxV <= limits.cellVoltageMinV
  ) {
    violations.push(
      `chargeCellVoltageMaxV ${parameters.chargeCellVoltageMaxV} V is outside the hard limits ${limits.cellVoltageMinV}–${limits.cellVoltageMaxV} V`,
    );
  }
  if (
    parameters.chargeCurrentLimitA <= 0 ||
    parameters.chargeCurrentLimitA > limits.chargeCurrentMaxA
  ) {
    violations.push(
      `chargeCurrentLimitA ${parameters.chargeCurrentLimitA} A exceeds the hard limit ${limits.chargeCurrentMaxA} A or is not positive`,
    );
  }
  if (
    parameters.dischargeCurrentLimitA <= 0 ||
    parameters.dischargeCurrentLimitA > limits.dischargeCurrentMaxA
  ) {
    violations.push(
      `dischargeCurrentLimitA ${parameters.dischargeCurrentLimitA} A exceeds the hard limit ${limits.dischargeCurrentMaxA} A or is not positive`,
    );
  }
  if (violations.length > 0) {
    throw ruleViolated('outside-hard-limits', `Refused: ${violations.join('; ')}`, {
      violations,
      hardLimits: { ...limits },
    });
  }
}
