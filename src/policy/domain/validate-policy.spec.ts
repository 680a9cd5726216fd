import { DEFAULT_POLICY_DOCUMENT } from './default-policy';
import type { PolicyDocument } from './policy-document';
import { policyProblems } from './validate-policy';

const copy = (): PolicyDocument =>
  JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT)) as PolicyDocument;

describe('policy validation', () => {
  it('accepts the default policy', () => {
    expect(policyProblems(DEFAULT_POLICY_DOCUMENT)).toEqual([]);
  });

  it('refuses a policy that lets anyone reach layer 4', () => {
    const policy = copy();
    policy.issuance.push({
      id: 'god-mode',
      relationship: 'owner',
      role: 'owner-admin',
      maxLayer: 4 as never,
      holders: 'anyone',
    });
    expect(policyProblems(policy)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('layer 4 (physical harm) can never be issued'),
      ]),
    );
  });

  it('refuses a rule that names an undefined role, with the rule in the message', () => {
    const policy = copy();
    policy.actions['lease.assign'].performers.push({ relationship: 'owner', role: 'intern' });
    expect(policyProblems(policy)).toEqual([
      'actions.lease.assign.performers[1]: role "intern" is not defined in roles',
    ]);
  });

  it('refuses removing the lawful purchaser’s read-only health access (EU 2023/1542 Art. 14)', () => {
    const policy = copy();
    policy.regulatoryReadAccess.relationships = ['operator'];
    expect(policyProblems(policy)).toEqual([expect.stringContaining('Art. 14')]);
    const downgraded = copy();
    downgraded.capabilities['status.read'] = 2;
    expect(policyProblems(downgraded)).toEqual([
      expect.stringContaining('status.read: must stay a layer 1'),
    ]);
  });

  it('refuses dropping the second sign-off of harmful changes and the receiving lessor’s consent', () => {
    const policy = copy();
    policy.actions['parameters.charge-voltage'].approvals = [];
    policy.actions['ownership.transfer'].approvals = [
      { anyOf: [{ relationship: 'platform', role: 'platform-admin' }] },
    ];
    expect(policyProblems(policy)).toEqual([
      'actions.parameters.charge-voltage: needs at least one approval besides the proposer',
      expect.stringContaining('the receiving lessor must always approve'),
    ]);
  });

  it('refuses a missing action and an approval slot that names nobody', () => {
    const policy = copy();
    delete (policy.actions as Partial<PolicyDocument['actions']>)['theft.report'];
    policy.actions['theft.recovery'].approvals = [{ anyOf: [] }];
    expect(policyProblems(policy)).toEqual(
      expect.arrayContaining([
        'actions.theft.report: missing',
        'actions.theft.recovery.approvals[0]: names nobody',
      ]),
    );
  });

  it('refuses dropping the operator from the Art. 14 health read', () => {
    const policy = copy();
    policy.regulatoryReadAccess.relationships = ['owner'];
    expect(policyProblems(policy)).toEqual([expect.stringContaining('missing: operator')]);
  });

  it('refuses loosening a capability below its catalogue layer, harmful ones above all', () => {
    const policy = copy();
    policy.capabilities['hard-limits.exceed'] = 2;
    policy.capabilities['remote.disable'] = 1;
    expect(policyProblems(policy)).toEqual([
      expect.stringContaining('capabilities.remote.disable: layer 1 is below'),
      expect.stringContaining('capabilities.hard-limits.exceed: layer 2 is below'),
    ]);
  });

  it('accepts tightening a layer', () => {
    const policy = copy();
    policy.capabilities['faults.reset'] = 3;
    expect(policyProblems(policy)).toEqual([]);
  });

  it('refuses a policy-change rule whose approvers could never exist, which would lock the policy for good', () => {
    const policy = copy();
    policy.actions['policy.change'].approvals = [
      { anyOf: [{ relationship: 'owner', role: 'owner-admin' }] },
    ];
    expect(policyProblems(policy)).toEqual([
      expect.stringContaining(
        'actions.policy.change.approvals[0]: nobody could ever give this approval',
      ),
    ]);
  });

  it('refuses registering parties or changing the policy by anyone but the platform', () => {
    const policy = copy();
    policy.actions['party.register'].performers = [{ relationship: 'owner', role: 'owner-admin' }];
    expect(policyProblems(policy)).toEqual([
      expect.stringContaining('actions.party.register: nobody could ever perform it'),
    ]);
  });

  it('refuses a key lifetime beyond ten years, or none', () => {
    for (const days of [0, 3651, 1.5]) {
      const policy = copy();
      policy.keyLifetimeMaxDays = days;
      expect(policyProblems(policy)).toEqual([expect.stringContaining('keyLifetimeMaxDays')]);
    }
  });

  it('refuses a capability the catalogue does not have', () => {
    const policy = copy();
    (policy.capabilities as Record<string, number>)['self-destruct'] = 3;
    expect(policyProblems(policy)).toEqual([
      'capabilities.self-destruct: not in the capability catalogue',
    ]);
  });
});
