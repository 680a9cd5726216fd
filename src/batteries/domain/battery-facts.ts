import type { RelationshipFacts } from '../../policy/domain/relationship';
import type { ProvisionedBattery } from './battery-state';
import { conflict } from '../../shared/domain/domain-error';

/** Who stands in which relationship to this battery, as policy rules see it. */
export function relationshipFacts(battery: ProvisionedBattery): RelationshipFacts {
  return {
    ownerId: battery.ownerId,
    operatorId: battery.lease?.operatorId ?? null,
    specialistId: battery.specialist?.specialistId ?? null,
    receivingLessorId: battery.openTransfer?.toOwnerId ?? null,
    manufacturerId: battery.manufacturerId,
  };
}

export function assertNotStolen(battery: ProvisionedBattery, what: string): void {
  if (battery.status === 'stolen')
    throw conflict('battery-stolen', `A battery reported stolen cannot be ${what}`);
}
