/** The kinds of organisation that take part (see shared/design/domain.md). */
export const PARTY_KINDS = [
  'manufacturer',
  'lessor',
  'operator',
  'cell-specialist',
  'service-provider',
  'platform',
] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

/** What a battery decision needs to know about another party, resolved by the shell beforehand. */
export interface PartyFacts {
  partyId: string;
  kind: PartyKind;
}
