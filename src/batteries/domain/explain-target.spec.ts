import {
  actors,
  context,
  history,
  parties,
  provisionCommand,
  issueKeyCommand,
} from '../../../test/support/battery-fixtures';
import { batteryDecider } from './battery-decider';
import { explainTarget } from './battery-facts';
import type { ProvisionedBattery } from './battery-state';
import type { BatteryCommand } from './battery-commands';
import { DEFAULT_POLICY } from '../../policy/domain/default-policy';
import { explain } from '../../policy/domain/explain';

const stateAfter = (...commands: BatteryCommand[]) =>
  history(...commands).reduce(
    batteryDecider.evolve,
    batteryDecider.initialState(),
  ) as ProvisionedBattery;
const batteryAfter = (...commands: BatteryCommand[]) => explainTarget(stateAfter(...commands));

describe('explain', () => {
  const leasedState = stateAfter(provisionCommand(), {
    type: 'AssignOperator',
    leaseId: 'l-1',
    operator: parties.courier,
    context: context(actors.ownerA),
  });
  const leased = explainTarget(leasedState);

  it('names the rule, relationship and role that allow an action', () => {
    expect(explain(DEFAULT_POLICY, actors.ownerA, leased, { action: 'lease.end' })).toMatchObject({
      allowed: true,
      rule: 'actions.lease.end.performers[0]',
      relationships: ['owner'],
      relationship: 'owner',
      role: 'owner-admin',
      policyVersion: 1,
    });
  });

  it('says why not: the relationship the subject lacks, or the role', () => {
    expect(
      explain(DEFAULT_POLICY, actors.fleetManager, leased, { action: 'lease.end' }),
    ).toMatchObject({ allowed: false, code: 'no-relationship', relationships: ['operator'] });
    expect(explain(DEFAULT_POLICY, actors.financeA, leased, { action: 'lease.end' })).toMatchObject(
      { allowed: false, code: 'role-required' },
    );
  });

  it('explains the issuer matrix for a key request, as enforcement would decide it', () => {
    const asOperator = explain(DEFAULT_POLICY, actors.fleetManager, leased, {
      action: 'key.issue',
      capabilities: ['diagnostics.read'],
      holder: { personId: 'dan', partyId: 'courier' },
    });
    expect(asOperator).toMatchObject({
      allowed: false,
      code: 'issuer-matrix-exceeded',
      rule: 'issuance.operator-issues-layer-1-to-own-people',
    });
    expect(() =>
      batteryDecider.decide(
        issueKeyCommand({
          capabilities: ['diagnostics.read'],
          holder: { personId: 'dan', party: parties.courier },
          context: context(actors.fleetManager),
        }),
        leasedState,
      ),
    ).toThrow(expect.objectContaining({ code: 'issuer-matrix-exceeded' }));
  });

  it('grants read-only health access to owner and operator by regulation, even on a stolen battery', () => {
    const stolen = batteryAfter(
      provisionCommand(),
      {
        type: 'AssignOperator',
        leaseId: 'l-1',
        operator: parties.courier,
        context: context(actors.ownerA),
      },
      { type: 'ReportStolen', context: context(actors.ownerA) },
    );
    expect(explain(DEFAULT_POLICY, actors.driver, stolen, { action: 'health.read' })).toMatchObject(
      { allowed: true, relationship: 'operator', rule: 'regulatoryReadAccess' },
    );
    expect(
      explain(DEFAULT_POLICY, actors.financeA, stolen, { action: 'health.read' }),
    ).toMatchObject({ allowed: true, relationship: 'owner' });
    expect(
      explain(DEFAULT_POLICY, actors.cellEngineer, stolen, { action: 'health.read' }),
    ).toMatchObject({ allowed: false });
  });

  it('lists the approvals still missing on a proposal, and whether the subject could give one', () => {
    const pending = batteryAfter(
      provisionCommand(),
      {
        type: 'ContractSpecialist',
        contractId: 'c',
        specialist: parties.cells,
        context: context(actors.ownerA),
      },
      {
        type: 'ProposeParameterChange',
        proposalId: 'p',
        parameters: { socMaxPercent: 95 },
        expiresAt: new Date('2026-06-05T00:00:00Z'),
        context: context(actors.financeA),
      },
      { type: 'ApproveProposal', proposalId: 'p', context: context(actors.ownerA) },
    );
    expect(
      explain(DEFAULT_POLICY, actors.cellEngineer, pending, {
        action: 'proposal.approve',
        proposalId: 'p',
      }),
    ).toMatchObject({
      allowed: true,
      relationship: 'cell-specialist',
      approvalsMissing: [
        { slot: 1, anyOf: [{ relationship: 'cell-specialist', role: 'cell-engineer' }] },
      ],
    });
    expect(
      explain(DEFAULT_POLICY, actors.financeA, pending, {
        action: 'proposal.approve',
        proposalId: 'p',
      }),
    ).toMatchObject({ allowed: false, code: 'proposer-cannot-approve' });
  });
});
