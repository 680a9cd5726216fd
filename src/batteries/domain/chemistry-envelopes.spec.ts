import { deciderSpecification } from '../../../test/support/decider-specification';
import { hardLimits, provisionCommand } from '../../../test/support/battery-fixtures';
import { batteryDecider } from './battery-decider';

const spec = deciderSpecification(batteryDecider);

describe('hard limits at provisioning', () => {
  it('refuses a minimum cell voltage no cell has (5e-324 V)', () => {
    spec
      .given([])
      .when(provisionCommand({ hardLimits: { ...hardLimits, cellVoltageMinV: 5e-324 } }))
      .thenThrows('hard-limits-implausible', 'rule-violated');
  });

  it('refuses 10 kA', () => {
    spec
      .given([])
      .when(provisionCommand({ hardLimits: { ...hardLimits, chargeCurrentMaxA: 10_000 } }))
      .thenThrows('hard-limits-implausible');
  });

  it('refuses an LFP maximum only an NMC cell takes', () => {
    spec
      .given([])
      .when(provisionCommand({ chemistry: 'LFP' }))
      .thenThrows('hard-limits-implausible');
  });

  it('accepts LFP limits for an LFP battery', () => {
    spec
      .given([])
      .when(
        provisionCommand({
          chemistry: 'LFP',
          hardLimits: { ...hardLimits, cellVoltageMinV: 2.5, cellVoltageMaxV: 3.65 },
        }),
      )
      .then([{ type: 'BatteryProvisioned', data: { chemistry: 'LFP' } }]);
  });

  it('refuses a chemistry it has no envelope for', () => {
    spec
      .given([])
      .when(provisionCommand({ chemistry: 'unobtainium' }))
      .thenThrows('unknown-chemistry', 'rule-violated');
  });
});
