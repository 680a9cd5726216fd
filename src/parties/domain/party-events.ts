import type { DomainEvent } from '../../shared/domain/domain-event';
import type { PartyKind } from '../../shared/domain/party-kind';

export type PartyRegistered = DomainEvent<
  'PartyRegistered',
  { partyId: string; name: string; kind: PartyKind }
>;
export type PartyEvent = PartyRegistered;

export const partyStreamId = (partyId: string) => `party-${partyId}`;
export const PARTY_STREAM_PREFIX = 'party-';
