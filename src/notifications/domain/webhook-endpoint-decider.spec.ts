import { deciderSpecification } from '../../../test/support/decider-specification';
import { actors, context, parties } from '../../../test/support/battery-fixtures';
import type { Actor } from '../../shared/domain/actor';
import type { PartyFacts } from '../../shared/domain/party-kind';
import { webhookEndpointDecider, type WebhookEndpointCommand } from './webhook-endpoint-decider';
import type { WebhookEndpointEvent } from './webhook-endpoint-events';

const spec = deciderSpecification(webhookEndpointDecider);

const register = (actor: Actor, party: PartyFacts): WebhookEndpointCommand => ({
  type: 'RegisterWebhookEndpoint',
  endpointId: 'wh_1',
  party,
  url: 'https://hooks.example/x',
  kinds: ['approval.waiting'],
  description: null,
  revokedKeyLiveAfterHours: 24,
  context: context(actor),
});
const remove = (actor: Actor, party: PartyFacts): WebhookEndpointCommand => ({
  type: 'DeleteWebhookEndpoint',
  endpointId: 'wh_1',
  party,
  context: context(actor),
});
const registered: WebhookEndpointEvent = {
  type: 'WebhookEndpointRegistered',
  data: {
    endpointId: 'wh_1',
    partyId: 'lessor-a',
    url: 'https://hooks.example/x',
    kinds: ['approval.waiting'],
    description: null,
    revokedKeyLiveAfterHours: 24,
  },
  meta: {
    actor: { personId: 'alice', partyId: 'lessor-a', role: 'owner-admin' },
    occurredAt: '2026-06-01T12:00:00.000Z',
    requestId: 'req',
    policyVersion: 1,
  },
};

describe('webhook endpoint decider', () => {
  it("registers an endpoint for a lessor's owner-admin, recorded in that role", () => {
    spec
      .given([])
      .when(register(actors.ownerA, parties.lessorA))
      .then([
        {
          type: 'WebhookEndpointRegistered',
          data: { endpointId: 'wh_1', partyId: 'lessor-a', kinds: ['approval.waiting'] },
          meta: { actor: { personId: 'alice', partyId: 'lessor-a', role: 'owner-admin' } },
        },
      ]);
  });

  it("registers for a cell specialist's cell-engineer (its administering role)", () => {
    spec
      .given([])
      .when(register(actors.cellEngineer, parties.cells))
      .then([{ meta: { actor: { role: 'cell-engineer' } } }]);
  });

  it('refuses a person without the administering role of their party', () => {
    spec
      .given([])
      .when(register(actors.financeA, parties.lessorA))
      .thenThrows('not-party-administrator', 'forbidden');
  });

  it('refuses a role held in another party than the endpoint’s', () => {
    spec
      .given([])
      .when(register(actors.ownerB, parties.lessorA))
      .thenThrows('not-party-administrator', 'forbidden');
  });

  it('records nothing when the same endpoint id is registered again (a retried request)', () => {
    spec.given([registered]).when(register(actors.ownerA, parties.lessorA)).then([]);
  });

  it('deletes an endpoint of the party', () => {
    spec
      .given([registered])
      .when(remove(actors.ownerA2, parties.lessorA))
      .then([
        { type: 'WebhookEndpointDeleted', data: { endpointId: 'wh_1', partyId: 'lessor-a' } },
      ]);
  });

  it("answers another party's endpoint as not found, whatever the caller's role", () => {
    spec
      .given([registered])
      .when(remove(actors.ownerB, parties.lessorB))
      .thenThrows('webhook-endpoint-not-found', 'not-found');
  });

  it('answers a deleted endpoint as not found', () => {
    const deleted: WebhookEndpointEvent = {
      type: 'WebhookEndpointDeleted',
      data: { endpointId: 'wh_1', partyId: 'lessor-a' },
      meta: registered.meta,
    };
    spec
      .given([registered, deleted])
      .when(remove(actors.ownerA, parties.lessorA))
      .thenThrows('webhook-endpoint-not-found', 'not-found');
  });
});
