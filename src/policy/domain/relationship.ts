import { PLATFORM_PARTY_ID } from '../../shared/domain/oversight';

export { PLATFORM_PARTY_ID };

/**
 * How a party stands to a battery. Policy rules name a relationship and a role: "an owner-admin
 * of the owner", "a cell-engineer of the contracted cell specialist".
 */
export const RELATIONSHIPS = [
  'owner',
  'operator',
  'cell-specialist',
  'receiving-lessor',
  'manufacturer',
  'platform',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

/** The facts about a battery that decide relationships; all optional for actions without a battery. */
export interface RelationshipFacts {
  ownerId?: string;
  operatorId?: string | null;
  specialistId?: string | null;
  receivingLessorId?: string | null;
  manufacturerId?: string;
}

export function relationshipsOf(partyId: string, facts: RelationshipFacts): Relationship[] {
  const found: Relationship[] = [];
  if (facts.ownerId === partyId) found.push('owner');
  if (facts.operatorId === partyId) found.push('operator');
  if (facts.specialistId === partyId) found.push('cell-specialist');
  if (facts.receivingLessorId === partyId) found.push('receiving-lessor');
  if (facts.manufacturerId === partyId) found.push('manufacturer');
  if (partyId === PLATFORM_PARTY_ID) found.push('platform');
  return found;
}
