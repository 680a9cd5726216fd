import { deciderSpecification } from '../../../test/support/decider-specification';
import { DEFAULT_POLICY } from '../../policy/domain/default-policy';
import { partyDecider } from './party-decider';

const spec = deciderSpecification(partyDecider);
const context = (roles: string[]) => ({
  actor: { personId: 'pat', partyId: 'platform', roles },
  now: new Date('2026-01-01T00:00:00Z'),
  requestId: 'req-1',
  policy: DEFAULT_POLICY,
});

describe('registering a party', () => {
  it('records the party with the platform administrator as actor', () => {
    spec
      .given([])
      .when({
        type: 'RegisterParty',
        partyId: 'lessor-a',
        name: 'Lessor A',
        kind: 'lessor',
        context: context(['platform-admin']),
      })
      .then([
        {
          type: 'PartyRegistered',
          data: { partyId: 'lessor-a', name: 'Lessor A', kind: 'lessor' },
          meta: {
            actor: { personId: 'pat', partyId: 'platform', role: 'platform-admin' },
            requestId: 'req-1',
            occurredAt: '2026-01-01T00:00:00.000Z',
          },
        },
      ]);
  });

  it('refuses anyone but a platform administrator', () => {
    spec
      .given([])
      .when({
        type: 'RegisterParty',
        partyId: 'x',
        name: 'X',
        kind: 'lessor',
        context: context(['owner-admin']),
      })
      .thenThrows('role-required', 'forbidden');
  });

  it('refuses a second registration of the same party', () => {
    const registered = partyDecider.decide(
      {
        type: 'RegisterParty',
        partyId: 'x',
        name: 'X',
        kind: 'lessor',
        context: context(['platform-admin']),
      },
      { registered: false },
    );
    spec
      .given(registered)
      .when({
        type: 'RegisterParty',
        partyId: 'x',
        name: 'X',
        kind: 'operator',
        context: context(['platform-admin']),
      })
      .thenThrows('party-already-registered', 'conflict');
  });
});
