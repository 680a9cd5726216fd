import type { HardLimits, TunableParameters } from './types';

/**
 * A bundle's parameters against the limits in the device's own write-until-protected memory
 * (never the bundle's `limits` claim, which is informational). Returns what is out of bounds.
 */
export function parametersOutsideHardLimits(
  params: TunableParameters,
  limits: HardLimits,
): string[] {
  const outside: string[] = [];
  if (!(
    params.socMinPercent >= 0 &&
    params.socMaxPercent <= 100 &&
    params.socMinPercent < params.socMaxPercent
  )) {
    outside.push(`state-of-charge window ${params.socMinPercent}–${params.socMaxPercent} %`);
  }
  if (!(
    params.chargeCellVoltageMaxV > limits.cellVoltageMinV &&
    params.chargeCellVoltageMaxV <= limits.cellVoltageMaxV
  )) {
    outside.push(`chargeCellVoltageMaxV ${params.chargeCellVoltageMaxV} V`);
  }
  if (!(params.chargeCurrentLimitA > 0 && params.chargeCurrentLimitA <= limits.chargeCurrentMaxA))
    outside.push(`chargeCurrentLimitA ${params.chargeCurrentLimitA} A`);
  if (!(
    params.dischargeCurrentLimitA > 0 &&
    params.dischargeCurrentLimitA <= limits.dischargeCurrentMaxA
  )) {
    outside.push(`dischargeCurrentLimitA ${params.dischargeCurrentLimitA} A`);
  }
  return outside;
}
