import type { CommandContext } from '../../policy/domain/command-context';
import type { Decider } from '../../shared/domain/decider';
import { conflict } from '../../shared/domain/domain-error';
import { recordedBy } from '../../shared/domain/domain-event';
import type { PartyKind } from '../../shared/domain/party-kind';
import { evaluateAction, requireAllowed } from '../../policy/domain/policy-evaluation';
import type { PartyEvent } from './party-events';

export type PartyState =
  { registered: false } | { registered: true; partyId: string; name: string; kind: PartyKind };

export interface RegisterParty {
  type: 'RegisterParty';
  partyId: string;
  name: string;
  kind: PartyKind;
  context: CommandContext;
}
export type PartyCommand = RegisterParty;

export const partyDecider: Decider<PartyCommand, PartyState, PartyEvent> = {
  initialState: () => ({ registered: false }),

  evolve(state, event) {
    switch (event.type) {
      case 'PartyRegistered':
        return { registered: true, ...event.data };
    }
  },

  decide(command, state) {
    // The platform operates the registry of parties; it never owns batteries itself.
    const { role } = requireAllowed(
      evaluateAction(command.context.policy, 'party.register', command.context.actor, {}),
    );
    if (state.registered)
      throw conflict('party-already-registered', `Party ${command.partyId} is already registered`);
    return [
      {
        type: 'PartyRegistered',
        data: { partyId: command.partyId, name: command.name, kind: command.kind },
        meta: recordedBy(command.context, role),
      },
    ];
  },
};
