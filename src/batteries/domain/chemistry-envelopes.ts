import { ruleViolated } from '../../shared/domain/domain-error';
import type { HardLimits } from './hard-limits';

/**
 * What a cell of each chemistry can physically take, widely: no datasheet of that chemistry goes
 * beyond these. Hard limits outside them are not a choice a manufacturer makes but a typo or an
 * attack (a minimum of 5e-324 V, 10 kA), and they are burned in for the battery's life.
 */
export interface ChemistryEnvelope {
  cellVoltageFloorV: number;
  cellVoltageCeilingV: number;
}

export const CHEMISTRY_ENVELOPES = {
  NMC: { cellVoltageFloorV: 2.0, cellVoltageCeilingV: 4.4 },
  NCA: { cellVoltageFloorV: 2.0, cellVoltageCeilingV: 4.4 },
  LCO: { cellVoltageFloorV: 2.0, cellVoltageCeilingV: 4.45 },
  LMO: { cellVoltageFloorV: 2.0, cellVoltageCeilingV: 4.35 },
  LFP: { cellVoltageFloorV: 2.0, cellVoltageCeilingV: 3.8 },
  LTO: { cellVoltageFloorV: 1.5, cellVoltageCeilingV: 2.9 },
  'Na-ion': { cellVoltageFloorV: 1.0, cellVoltageCeilingV: 4.3 },
} as const satisfies Record<string, ChemistryEnvelope>;

export type Chemistry = keyof typeof CHEMISTRY_ENVELOPES;
export const CHEMISTRIES = Object.keys(CHEMISTRY_ENVELOPES) as Chemistry[];

/** Pack currents and cell temperatures no battery this service manages is built for. */
export const PACK_CURRENT_CEILING_A = 2000;
export const TEMPERATURE_FLOOR_C = -60;
export const TEMPERATURE_CEILING_C = 90;

const isChemistry = (name: string): name is Chemistry =>
  Object.prototype.hasOwnProperty.call(CHEMISTRY_ENVELOPES, name);

export function assertPlausibleHardLimits(chemistry: string, limits: HardLimits): void {
  if (!isChemistry(chemistry))
    throw ruleViolated(
      'unknown-chemistry',
      `Chemistry ${chemistry} is not one of ${CHEMISTRIES.join(', ')}`,
    );
  const envelope = CHEMISTRY_ENVELOPES[chemistry];
  const problems: string[] = [];
  if (limits.cellVoltageMinV < envelope.cellVoltageFloorV)
    problems.push(
      `cellVoltageMinV ${limits.cellVoltageMinV} V is below what any ${chemistry} cell allows (${envelope.cellVoltageFloorV} V)`,
    );
  if (limits.cellVoltageMaxV > envelope.cellVoltageCeilingV)
    problems.push(
      `cellVoltageMaxV ${limits.cellVoltageMaxV} V is above what any ${chemistry} cell allows (${envelope.cellVoltageCeilingV} V)`,
    );
  for (const field of ['chargeCurrentMaxA', 'dischargeCurrentMaxA'] as const) {
    if (limits[field] > PACK_CURRENT_CEILING_A)
      problems.push(`${field} ${limits[field]} A is above ${PACK_CURRENT_CEILING_A} A`);
  }
  if (limits.temperatureMinC < TEMPERATURE_FLOOR_C)
    problems.push(
      `temperatureMinC ${limits.temperatureMinC} °C is below ${TEMPERATURE_FLOOR_C} °C`,
    );
  if (limits.temperatureMaxC > TEMPERATURE_CEILING_C)
    problems.push(
      `temperatureMaxC ${limits.temperatureMaxC} °C is above ${TEMPERATURE_CEILING_C} °C`,
    );
  if (problems.length > 0) {
    throw ruleViolated(
      'hard-limits-implausible',
      `Hard limits no ${chemistry} battery can have: ${problems.join('; ')}`,
      { problems, chemistry },
    );
  }
}
