import type { Decider } from '../../shared/domain/decider';
import { forbidden, notFound } from '../../shared/domain/domain-error';
import { recordedBy } from '../../shared/domain/domain-event';
import type { CommandContext } from '../../policy/domain/command-context';
import type { PartyFacts } from '../../shared/domain/party-kind';
import { ADMINISTERING_ROLE } from './administering-role';
import type { WebhookEndpointEvent } from './webhook-endpoint-events';
import type { WebhookKind } from './webhook-kinds';

export type WebhookEndpointState =
  | { registered: false }
  | { registered: true; endpointId: string; partyId: string; deleted: boolean };

export interface RegisterWebhookEndpoint {
  type: 'RegisterWebhookEndpoint';
  endpointId: string;
  /** The caller's own party, resolved by the shell: an endpoint always belongs to it. */
  party: PartyFacts;
  /** Already checked against the allowed hosts by the shell (a setting, not a domain fact). */
  url: string;
  kinds: WebhookKind[];
  description: string | null;
  revokedKeyLiveAfterHours: number;
  context: CommandContext;
}

export interface DeleteWebhookEndpoint {
  type: 'DeleteWebhookEndpoint';
  endpointId: string;
  party: PartyFacts;
  context: CommandContext;
}

export type WebhookEndpointCommand = RegisterWebhookEndpoint | DeleteWebhookEndpoint;

/** The same answer for an endpoint of another party as for none at all: ids are not to be probed. */
const endpointNotFound = (endpointId: string) =>
  notFound('webhook-endpoint-not-found', `No webhook endpoint ${endpointId}`);

/** The role the actor administers its party in; refused otherwise. */
function administeringRole(command: WebhookEndpointCommand): string {
  const { actor } = command.context;
  const role = ADMINISTERING_ROLE[command.party.kind];
  if (actor.partyId !== command.party.partyId || !actor.roles.includes(role)) {
    throw forbidden(
      'not-party-administrator',
      `Only a ${role} of ${command.party.partyId} manages its webhook endpoints`,
      { requiredRole: role },
    );
  }
  return role;
}

export const webhookEndpointDecider: Decider<
  WebhookEndpointCommand,
  WebhookEndpointState,
  WebhookEndpointEvent
> = {
  initialState: () => ({ registered: false }),

  evolve(state, event) {
    switch (event.type) {
      case 'WebhookEndpointRegistered':
        return {
          registered: true,
          endpointId: event.data.endpointId,
          partyId: event.data.partyId,
          deleted: false,
        };
      case 'WebhookEndpointDeleted':
        return state.registered ? { ...state, deleted: true } : state;
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterWebhookEndpoint': {
        const role = administeringRole(command);
        // Ids are derived from the Idempotency-Key or random: a taken one is the same request again.
        if (state.registered) return [];
        return [
          {
            type: 'WebhookEndpointRegistered',
            data: {
              endpointId: command.endpointId,
              partyId: command.party.partyId,
              url: command.url,
              kinds: command.kinds,
              description: command.description,
              revokedKeyLiveAfterHours: command.revokedKeyLiveAfterHours,
            },
            meta: recordedBy(command.context, role),
          },
        ];
      }
      case 'DeleteWebhookEndpoint': {
        // Another party's endpoint is "not found" before any role check, so a 403 tells nothing.
        if (!state.registered || state.deleted || state.partyId !== command.party.partyId)
          throw endpointNotFound(command.endpointId);
        const role = administeringRole(command);
        return [
          {
            type: 'WebhookEndpointDeleted',
            data: { endpointId: command.endpointId, partyId: state.partyId },
            meta: recordedBy(command.context, role),
          },
        ];
      }
    }
  },
};
