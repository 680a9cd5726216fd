import { DEFAULT_POLICY_DOCUMENT } from './default-policy';
import { evaluateAction } from './policy-evaluation';
import { policyDecider } from './policy-decider';
import type { PolicyEvent } from './policy-events';
import { upcastPolicyDocument, type PolicyDocumentInput } from './upcast-policy';
import { policyProblems } from './validate-policy';

/** A document adopted before 'specialist.end' and keyLifetimeMaxDays existed. */
const { keyLifetimeMaxDays: _dropped, ...withoutLifetime } = DEFAULT_POLICY_DOCUMENT;
const olderDocument: PolicyDocumentInput = {
  ...withoutLifetime,
  actions: Object.fromEntries(
    Object.entries(DEFAULT_POLICY_DOCUMENT.actions).filter(
      ([action]) => action !== 'specialist.end',
    ),
  ),
};
const adoptedLongAgo: PolicyEvent = {
  type: 'PolicyAdopted',
  data: { proposalId: 'old', version: 2, document: olderDocument as never },
  meta: {
    actor: { personId: 'pat', partyId: 'platform', role: 'platform-admin' },
    occurredAt: '2025-01-01T00:00:00.000Z',
    requestId: 'r',
    policyVersion: 1,
  },
};
const owner = { personId: 'alice', partyId: 'lessor-a', roles: ['owner-admin'] };

describe('policy documents from before the catalogue grew', () => {
  it('take the default rule for an action they do not name, instead of reading undefined', () => {
    const state = policyDecider.evolve(policyDecider.initialState(), adoptedLongAgo);
    expect(
      evaluateAction(state.active, 'specialist.end', owner, {
        ownerId: 'lessor-a',
      }),
    ).toMatchObject({ allowed: true, policyVersion: 2 });
  });

  it('take the default for settings they predate', () => {
    expect(upcastPolicyDocument(olderDocument).keyLifetimeMaxDays).toBe(
      DEFAULT_POLICY_DOCUMENT.keyLifetimeMaxDays,
    );
  });

  it('can be proposed again and pass validation', () => {
    expect(policyProblems(upcastPolicyDocument(olderDocument))).toEqual([]);
    const state = policyDecider.evolve(policyDecider.initialState(), adoptedLongAgo);
    const proposed = policyDecider.decide(
      {
        type: 'ProposePolicyChange',
        proposalId: 'again',
        document: olderDocument,
        context: {
          actor: { personId: 'pat', partyId: 'platform', roles: ['platform-admin'] },
          now: new Date(),
          requestId: 'r',
          policy: state.active,
        },
      },
      state,
    );
    expect(proposed).toMatchObject([
      {
        type: 'PolicyChangeProposed',
        data: {
          document: {
            actions: { 'specialist.end': DEFAULT_POLICY_DOCUMENT.actions['specialist.end'] },
          },
        },
      },
    ]);
  });
});
