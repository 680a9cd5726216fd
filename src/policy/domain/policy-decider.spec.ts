import { deciderSpecification } from '../../../test/support/decider-specification';
import { actors, context, NOW } from '../../../test/support/battery-fixtures';
import { TRANSFER_NEEDS_FINANCE } from '../../../test/support/policies';
import { DEFAULT_POLICY_DOCUMENT } from './default-policy';
import { policyDecider, type PolicyCommand } from './policy-decider';
import type { PolicyEvent } from './policy-events';

const spec = deciderSpecification(policyDecider);
const stricter = TRANSFER_NEEDS_FINANCE;
const propose = (document = stricter, actor = actors.platformAdmin): PolicyCommand => ({
  type: 'ProposePolicyChange',
  proposalId: 'pc-1',
  document,
  context: context(actor),
});
function run(...commands: PolicyCommand[]): PolicyEvent[] {
  const events: PolicyEvent[] = [];
  let state = policyDecider.initialState();
  for (const command of commands)
    for (const event of policyDecider.decide(command, state)) {
      events.push(event);
      state = policyDecider.evolve(state, event);
    }
  return events;
}

describe('changing the policy', () => {
  it('starts at version 1, the default', () => {
    expect(policyDecider.initialState().active).toEqual({
      version: 1,
      document: DEFAULT_POLICY_DOCUMENT,
    });
  });

  it('is proposed by a platform admin, based on the version in force', () => {
    spec
      .given([])
      .when(propose())
      .then([
        { type: 'PolicyChangeProposed', data: { basedOnVersion: 1 }, meta: { policyVersion: 1 } },
      ]);
  });

  it('is adopted as version 2 when another platform admin approves', () => {
    const events = spec
      .given(run(propose()))
      .when({
        type: 'ApprovePolicyChange',
        proposalId: 'pc-1',
        context: context(actors.platformAdmin2),
      })
      .then([
        { type: 'PolicyChangeApproved' },
        { type: 'PolicyAdopted', data: { version: 2, document: stricter } },
      ]);
    const state = [...run(propose()), ...events].reduce(
      policyDecider.evolve,
      policyDecider.initialState(),
    );
    expect(state.active.version).toBe(2);
  });

  it('is not approved by its proposer', () => {
    spec
      .given(run(propose()))
      .when({
        type: 'ApprovePolicyChange',
        proposalId: 'pc-1',
        context: context(actors.platformAdmin),
      })
      .thenThrows('proposer-cannot-approve');
  });

  it('is not approved by anyone but a platform admin', () => {
    spec
      .given(run(propose()))
      .when({ type: 'ApprovePolicyChange', proposalId: 'pc-1', context: context(actors.ownerA) })
      .thenThrows('not-an-eligible-approver');
  });

  it('is not proposed by anyone but a platform admin', () => {
    spec
      .given([])
      .when(propose(stricter, actors.ownerA))
      .thenThrows('no-relationship', 'forbidden');
  });

  it('refuses an invalid policy at proposal with every problem listed', () => {
    const broken = {
      ...DEFAULT_POLICY_DOCUMENT,
      regulatoryReadAccess: { capability: 'status.read' as const, relationships: [] },
    };
    const error = spec
      .given([])
      .when(propose(broken))
      .thenThrows('policy-invalid', 'rule-violated');
    expect(error.details.problems).toEqual([expect.stringContaining('Art. 14')]);
  });

  it('allows one open change at a time', () => {
    spec
      .given(run(propose()))
      .when({ ...propose(), proposalId: 'pc-2' })
      .thenThrows('policy-change-open', 'conflict');
  });

  it('can be rejected by another platform admin', () => {
    spec
      .given(run(propose()))
      .when({
        type: 'RejectPolicyChange',
        proposalId: 'pc-1',
        reason: 'no',
        context: context(actors.platformAdmin2),
      })
      .then([{ type: 'PolicyChangeRejected' }]);
  });

  it('can be withdrawn by its proposer', () => {
    spec
      .given(run(propose()))
      .when({
        type: 'WithdrawPolicyChange',
        proposalId: 'pc-1',
        context: context(actors.platformAdmin),
      })
      .then([{ type: 'PolicyChangeWithdrawn' }]);
  });

  it('cannot be withdrawn by anyone but its proposer', () => {
    spec
      .given(run(propose()))
      .when({
        type: 'WithdrawPolicyChange',
        proposalId: 'pc-1',
        context: context(actors.platformAdmin2),
      })
      .thenThrows('not-the-proposer');
  });

  it('records when it happened', () => {
    expect(run(propose())[0].meta.occurredAt).toBe(NOW.toISOString());
  });
});
