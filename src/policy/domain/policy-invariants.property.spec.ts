import fc from 'fast-check';
import { actors, context, hardLimits, holderKey, parties, provisionCommand, NOW } from '../../../test/support/battery-fixtures';
import { batteryDecider } from '../../batteries/domain/battery-decider';
import type { BatteryCommand } from '../../batteries/domain/battery-commands';
import type { BatteryEvent } from '../../batteries/domain/battery-events';
import type { BatteryState, ProvisionedBattery } from '../../batteries/domain/battery-state';
import { CAPABILITY_NAMES, layerOf, type Capability } from '../../batteries/domain/capability-catalogue';
import { assertWithinHardLimits } from '../../batteries/domain/tunable-parameters';
import { bundleClaims } from '../../bundles/domain/bundle-claims';
import { DomainError } from '../../shared/domain/domain-error';

/**
 * Random sequences of commands by random actors, checked against what must hold whatever happens:
 * nobody exceeds the issuer matrix, no bundle carries a parameter outside the hard limits, no
 * approval counts twice, and no proposer approves their own proposal.
 */
const cast = Object.values(actors);
const actor = fc.constantFrom(...cast);
const id = fc.constantFrom('a', 'b');
const holderParty = fc.constantFrom(parties.lessorA, parties.courier, parties.workshop, parties.cells);
const anyParameters = fc.record(
  {
    socMinPercent: fc.integer({ min: -5, max: 60 }),
    socMaxPercent: fc.integer({ min: 40, max: 105 }),
    chargeCellVoltageMaxV: fc.constantFrom(2.5, 4.1, 4.2, 4.25, 4.3, 5.25),
    chargeCurrentLimitA: fc.constantFrom(-1, 0, 10, 100, 101, 500),
    dischargeCurrentLimitA: fc.constantFrom(1, 150, 200, 201),
  },
  { requiredKeys: [] },
);
/** Mostly plausible changes, so approvals get exercised; typos and absurd values still come up. */
const plausibleParameters = fc.record(
  {
    socMinPercent: fc.integer({ min: 1, max: 20 }),
    socMaxPercent: fc.integer({ min: 80, max: 99 }),
    chargeCellVoltageMaxV: fc.constantFrom(4.1, 4.15, 4.2),
    chargeCurrentLimitA: fc.constantFrom(50, 80),
  },
  { requiredKeys: [] },
);
const parameterValue = fc.oneof({ weight: 3, arbitrary: plausibleParameters }, { weight: 1, arbitrary: anyParameters });
const later = new Date(NOW.getTime() + 86_400_000);

const approver = fc.constantFrom(actors.ownerA, actors.ownerA2, actors.multiRole, actors.cellEngineer, actors.cellEngineer2, actors.financeA, actors.platformAdmin, actors.fleetManager);
const proposer = fc.constantFrom(actors.financeA, actors.cellEngineer, actors.ownerA, actors.multiRole, actors.driver);

const issueKey = fc
  .record({ who: actor, keyId: id, caps: fc.subarray(CAPABILITY_NAMES, { minLength: 1, maxLength: 4 }), holder: holderParty, person: fc.constantFrom('tom', 'dan', 'alice', 'carl', 'fred') })
  .map(
    ({ who, keyId, caps, holder, person }): BatteryCommand => ({
      type: 'IssueKey',
      keyId: `${keyId}-${person}`,
      holder: { personId: person, party: holder },
      publicKey: holderKey(`${keyId}-${person}`),
      capabilities: caps,
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + 365 * 86_400_000),
      context: context(who),
    }),
  );

/** Weighted towards proposals and approvals, where the subtle rules live. */
const command: fc.Arbitrary<BatteryCommand> = fc.oneof(
  { weight: 4, arbitrary: issueKey },
  { weight: 1, arbitrary: fc.record({ who: actor, keyId: id }).map(({ who, keyId }): BatteryCommand => ({ type: 'RevokeKey', keyId: `${keyId}-tom`, reason: 'r', context: context(who) })) },
  { weight: 1, arbitrary: actor.map((who): BatteryCommand => ({ type: 'AssignOperator', leaseId: 'l2', operator: parties.courier, context: context(who) })) },
  { weight: 1, arbitrary: actor.map((who): BatteryCommand => ({ type: 'EndLease', leaseId: 'l', context: context(who) })) },
  {
    weight: 5,
    arbitrary: fc
      .record({ who: proposer, proposalId: id, parameters: parameterValue })
      .map(({ who, proposalId, parameters }): BatteryCommand => ({ type: 'ProposeParameterChange', proposalId, parameters, expiresAt: later, context: context(who) })),
  },
  { weight: 8, arbitrary: fc.record({ who: approver, proposalId: id }).map(({ who, proposalId }): BatteryCommand => ({ type: 'ApproveProposal', proposalId, context: context(who) })) },
  { weight: 1, arbitrary: fc.record({ who: approver, proposalId: id }).map(({ who, proposalId }): BatteryCommand => ({ type: 'RejectProposal', proposalId, reason: 'no', context: context(who) })) },
  { weight: 1, arbitrary: fc.record({ who: proposer, proposalId: id }).map(({ who, proposalId }): BatteryCommand => ({ type: 'WithdrawProposal', proposalId, context: context(who) })) },
  { weight: 2, arbitrary: fc.record({ who: proposer, proposalId: id }).map(({ who, proposalId }): BatteryCommand => ({ type: 'RequestRecovery', proposalId, expiresAt: later, context: context(who) })) },
  { weight: 1, arbitrary: actor.map((who): BatteryCommand => ({ type: 'ReportStolen', context: context(who) })) },
  { weight: 1, arbitrary: actor.map((who): BatteryCommand => ({ type: 'RequestOwnershipTransfer', transferId: 't', to: parties.lessorB, context: context(who) })) },
  { weight: 1, arbitrary: actor.map((who): BatteryCommand => ({ type: 'ApproveOwnershipTransfer', transferId: 't', context: context(who) })) },
);

function checkIssuance(event: Extract<BatteryEvent, { type: 'KeyIssued' }>, before: ProvisionedBattery): void {
  const layers = event.data.capabilities.map((c) => layerOf(c as Capability));
  const issuer = event.meta.actor;
  expect(Math.max(...layers)).toBeLessThanOrEqual(2);
  expect(issuer.personId === event.data.holder.personId && issuer.partyId === event.data.holder.partyId).toBe(false);
  if (issuer.partyId === before.ownerId) {
    expect(issuer.role).toBe('owner-admin');
  } else {
    expect(issuer.partyId).toBe(before.lease?.operatorId);
    expect(issuer.role).toBe('fleet-manager');
    expect(Math.max(...layers)).toBe(1);
    expect(event.data.holder.partyId).toBe(issuer.partyId);
  }
}

describe('policy invariants under random command sequences', () => {
  it('hold after every accepted command', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 15, maxLength: 60 }), (commands) => {
        let state: BatteryState = batteryDecider.initialState();
        const setup: BatteryCommand[] = [
          provisionCommand(),
          { type: 'ContractSpecialist', contractId: 'c', specialist: parties.cells, context: context(actors.ownerA) },
          { type: 'AssignOperator', leaseId: 'l', operator: parties.courier, context: context(actors.ownerA) },
        ];
        for (const step of setup) state = batteryDecider.decide(step, state).reduce(batteryDecider.evolve, state);
        const approversOf = new Map<string, string[]>();
        for (const next of commands) {
          let events: BatteryEvent[];
          try {
            events = batteryDecider.decide(next, state);
          } catch (error) {
            if (error instanceof DomainError) continue;
            throw error;
          }
          for (const event of events) {
            const before = state as ProvisionedBattery;
            if (event.type === 'KeyIssued') checkIssuance(event, before);
            if (event.type === 'ProposalApproved') {
              const proposal = before.proposals.find((p) => p.proposalId === event.data.proposalId);
              expect(proposal).toBeDefined();
              expect(event.data.approval.approver.personId).not.toBe(proposal?.proposedBy.personId);
              const seen = approversOf.get(event.data.proposalId) ?? [];
              expect(seen).not.toContain(`${event.data.approval.approver.partyId}/${event.data.approval.approver.personId}`);
              approversOf.set(event.data.proposalId, [...seen, `${event.data.approval.approver.partyId}/${event.data.approval.approver.personId}`]);
            }
            if (event.type === 'ParametersChanged') {
              const proposal = before.proposals.find((p) => p.proposalId === event.data.proposalId);
              // The last approval of the same append is already folded in: every slot is filled, each by someone else.
              const approvals = proposal?.approvals ?? [];
              expect(new Set(approvals.map((a) => a.slot)).size).toBe(proposal?.required.length);
              expect(new Set(approvals.map((a) => `${a.approver.partyId}/${a.approver.personId}`)).size).toBe(approvals.length);
            }
            state = batteryDecider.evolve(state, event);
          }
          const battery = state as ProvisionedBattery;
          expect(() => assertWithinHardLimits(bundleClaims(battery, { issuer: 'x', now: NOW, ttlSeconds: 60 }).params, hardLimits)).not.toThrow();
          for (const proposal of battery.proposals) {
            const people = proposal.approvals.map((a) => `${a.approver.partyId}/${a.approver.personId}`);
            expect(new Set(people).size).toBe(people.length);
            expect(people).not.toContain(`${proposal.proposedBy.partyId}/${proposal.proposedBy.personId}`);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
