import { ruleViolated } from '../../shared/domain/domain-error';

/**
 * Limits burned at manufacture into write-until-protected memory. Immutable for the battery's
 * life: no command changes them, and every tunable parameter must stay inside them.
 */
export interface HardLimits {
  cellVoltageMinV: number;
  cellVoltageMaxV: number;
  chargeCurrentMaxA: number;
  dischargeCurrentMaxA: number;
  temperatureMinC: number;
  temperatureMaxC: number;
}

export function assertCoherentHardLimits(limits: HardLimits): void {
  if (limits.cellVoltageMinV >= limits.cellVoltageMaxV) {
    throw ruleViolated('hard-limits-incoherent', 'cellVoltageMinV must be below cellVoltageMaxV', {
      ...limits,
    });
  }
  if (limits.temperatureMinC >= limits.temperatureMaxC) {
    throw ruleViolated('hard-limits-incoherent', 'temperatureMinC must be below temperatureMaxC', {
      ...limits,
    });
  }
}
