import { Injectable } from '@nestjs/common';
import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import { PLATFORM_PARTY_ID } from '../../shared/domain/oversight';
import type { PartyFacts } from '../../shared/domain/party-kind';
import { PartyDirectory } from '../../parties/application/party-directory';
import { ADMINISTERING_ROLE } from '../domain/administering-role';

/**
 * The caller's own party as a webhook command needs it (its kind decides which role administers
 * it). The platform party operates the service and has no registration event of its own.
 */
@Injectable()
export class EndpointParty {
  constructor(private readonly parties: PartyDirectory) {}

  async of(actor: Actor): Promise<PartyFacts> {
    if (actor.partyId === PLATFORM_PARTY_ID)
      return { partyId: PLATFORM_PARTY_ID, kind: 'platform' };
    return this.parties.facts(actor.partyId, 'party');
  }

  /** For reads of a party's endpoints: the same role that manages them; 403 otherwise. */
  async assertAdministers(actor: Actor): Promise<void> {
    const party = await this.of(actor);
    const role = ADMINISTERING_ROLE[party.kind];
    if (!actor.roles.includes(role))
      throw forbidden(
        'not-party-administrator',
        `Only a ${role} of ${party.partyId} manages its webhook endpoints`,
        { requiredRole: role },
      );
  }
}
