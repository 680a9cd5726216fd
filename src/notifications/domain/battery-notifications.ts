import type { RecordedActor } from '../../shared/domain/actor';
import type { ApprovalSlot, PartyRole } from '../../policy/domain/policy-document';
import { PLATFORM_PARTY_ID, type Relationship } from '../../policy/domain/relationship';
import type { BatteryEvent } from '../../batteries/domain/battery-events';
import { relationshipFacts } from '../../batteries/domain/battery-facts';
import type { ProvisionedBattery } from '../../batteries/domain/battery-state';
import type { WebhookKind } from './webhook-kinds';

/** Where an event stands in the store, as a notification reports it. */
export interface EventReference {
  position: string;
  eventId: string;
  type: string;
  revision: number;
  occurredAt: string;
  actor: RecordedActor;
}

/** One thing one party is to be told about one event. */
export interface PartyNotification {
  partyId: string;
  kind: WebhookKind;
  data: Record<string, unknown>;
}

/** Event types that may notify anyone: only for these is the battery's stream read. */
export const NOTIFYING_EVENT_TYPES: ReadonlySet<string> = new Set<BatteryEvent['type']>([
  'ChangeProposed',
  'OwnershipTransferRequested',
  'ApprovalLapsed',
  'BatteryReportedStolen',
]);

/**
 * Who is to be told what about one battery event, judged on the battery as it stood right after
 * that event (`battery`, folded up to and including it): so a later sale or lease does not change
 * who was told about an earlier request.
 */
export function notificationsOf(
  serial: string,
  event: BatteryEvent,
  reference: EventReference,
  battery: ProvisionedBattery,
): PartyNotification[] {
  const base = { serial, event: reference };
  switch (event.type) {
    case 'ChangeProposed':
      return approvalsWaiting(battery, event.data.requiredApprovals, {
        ...base,
        proposalId: event.data.proposalId,
        proposalKind: event.data.kind,
        expiresAt: event.data.expiresAt,
      });
    case 'OwnershipTransferRequested':
      return [
        {
          partyId: event.data.toOwnerId,
          kind: 'transfer.requested',
          data: {
            ...base,
            transferId: event.data.transferId,
            fromOwnerId: event.data.fromOwnerId,
            toOwnerId: event.data.toOwnerId,
          },
        },
        ...approvalsWaiting(battery, event.data.requiredApprovals, {
          ...base,
          proposalId: event.data.transferId,
          proposalKind: 'ownership-transfer',
          expiresAt: null,
        }),
      ];
    case 'ApprovalLapsed': {
      // The slot is open again: whoever may fill it is waited on once more.
      const proposal = battery.proposals.find((p) => p.proposalId === event.data.proposalId);
      const transfer =
        battery.openTransfer?.transferId === event.data.proposalId ? battery.openTransfer : null;
      const slot = (proposal ?? transfer)?.required[event.data.slot];
      if (!slot) return [];
      return approvalsWaiting(battery, [slot], {
        ...base,
        proposalId: event.data.proposalId,
        proposalKind: proposal ? proposal.kind : 'ownership-transfer',
        expiresAt: proposal?.expiresAt ?? null,
      });
    }
    case 'BatteryReportedStolen':
      return readingParties(battery).map((partyId) => ({
        partyId,
        kind: 'theft.reported' as const,
        data: { ...base, reportedByPartyId: event.data.reportedByPartyId },
      }));
    default:
      return [];
  }
}

/** One `approval.waiting` per party holding a relationship some slot asks for, with the roles it asks of that party. */
function approvalsWaiting(
  battery: ProvisionedBattery,
  slots: readonly ApprovalSlot[],
  data: Record<string, unknown>,
): PartyNotification[] {
  const wanted = new Map<string, PartyRole[]>();
  for (const slot of slots) {
    for (const candidate of slot.anyOf) {
      const partyId = partyIn(battery, candidate.relationship);
      if (!partyId) continue;
      const roles = wanted.get(partyId) ?? [];
      if (
        !roles.some((r) => r.relationship === candidate.relationship && r.role === candidate.role)
      )
        roles.push(candidate);
      wanted.set(partyId, roles);
    }
  }
  return [...wanted].map(([partyId, rolesWanted]) => ({
    partyId,
    kind: 'approval.waiting' as const,
    data: { ...data, rolesWanted },
  }));
}

/** The party standing in a relationship to the battery, if any does. */
function partyIn(battery: ProvisionedBattery, relationship: Relationship): string | null {
  const facts = relationshipFacts(battery);
  switch (relationship) {
    case 'owner':
      return facts.ownerId ?? null;
    case 'operator':
      return facts.operatorId ?? null;
    case 'cell-specialist':
      return facts.specialistId ?? null;
    case 'receiving-lessor':
      return facts.receivingLessorId ?? null;
    case 'manufacturer':
      return facts.manufacturerId ?? null;
    case 'platform':
      return PLATFORM_PARTY_ID;
  }
}

/** The parties that may read the battery (see batteries' mayRead), each once. */
function readingParties(battery: ProvisionedBattery): string[] {
  const facts = relationshipFacts(battery);
  const parties = [facts.ownerId, facts.operatorId, facts.manufacturerId, facts.specialistId];
  return [...new Set(parties.filter((party): party is string => !!party))];
}
