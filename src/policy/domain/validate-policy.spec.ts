import { DEFAULT_POLICY_DOCUMENT } from './default-policy';
import type { PolicyDocument } from './policy-document';
import { policyProblems } from './validate-policy';

const copy = (): PolicyDocument => JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT)) as PolicyDocument;

describe('policy validation', () => {
  it('accepts the default policy', () => {
    expect(policyProblems(DEFAULT_POLICY_DOCUMENT)).toEqual([]);
  });

  it('refuses a policy that lets anyone reach layer 4', () => {
    const policy = copy();
    policy.issuance.push({ id: 'god-mode', relationship: 'owner', role: 'owner-admin', maxLayer: 4 as never, holders: 'anyone' });
    expect(policyProblems(policy)).toEqual(expect.arrayContaining([expect.stringContaining('layer 4 (physical harm) can never be issued')]));
  });

  it('refuses a rule that names an undefined role, with the rule in the message', () => {
    const policy = copy();
    policy.actions['lease.assign'].performers.push({ relationship: 'owner', role: 'intern' });
    expect(policyProblems(policy)).toEqual(['actions.lease.assign.performers[1]: role "intern" is not defined in roles']);
  });

  it('refuses removing the lawful purchaser’s read-only health access (EU 2023/1542 Art. 14)', () => {
    const policy = copy();
    policy.regulatoryReadAccess.relationships = ['operator'];
    expect(policyProblems(policy)).toEqual([expect.stringContaining('Art. 14')]);
    const downgraded = copy();
    downgraded.capabilities['status.read'] = 2;
    expect(policyProblems(downgraded)).toEqual([expect.stringContaining('status.read: must stay a layer 1')]);
  });

  it('refuses dropping the second sign-off of harmful changes and the receiving lessor’s consent', () => {
    const policy = copy();
    policy.actions['parameters.charge-voltage'].approvals = [];
    policy.actions['ownership.transfer'].approvals = [{ anyOf: [{ relationship: 'platform', role: 'platform-admin' }] }];
    expect(policyProblems(policy)).toEqual([
      'actions.parameters.charge-voltage: needs at least one approval besides the proposer',
      expect.stringContaining('the receiving lessor must always approve'),
    ]);
  });

  it('refuses a missing action and an approval slot that names nobody', () => {
    const policy = copy();
    delete (policy.actions as Partial<PolicyDocument['actions']>)['theft.report'];
    policy.actions['theft.recovery'].approvals = [{ anyOf: [] }];
    expect(policyProblems(policy)).toEqual(expect.arrayContaining(['actions.theft.report: missing', 'actions.theft.recovery.approvals[0]: names nobody']));
  });
});
