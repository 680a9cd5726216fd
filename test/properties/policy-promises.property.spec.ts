import fc from 'fast-check';
import {
  actors,
  hardLimits,
  holderKey,
  parties,
  provisionCommand,
  NOW,
} from '../support/battery-fixtures';
import type { Actor } from '../../src/shared/domain/actor';
import type { CommandContext } from '../../src/policy/domain/command-context';
import { DomainError } from '../../src/shared/domain/domain-error';
import { ROLES } from '../../src/shared/domain/roles';
import { batteryDecider } from '../../src/batteries/domain/battery-decider';
import type { BatteryCommand } from '../../src/batteries/domain/battery-commands';
import type { BatteryEvent } from '../../src/batteries/domain/battery-events';
import { explainTarget, relationshipFacts } from '../../src/batteries/domain/battery-facts';
import type { BatteryState, ProvisionedBattery } from '../../src/batteries/domain/battery-state';
import {
  CAPABILITIES,
  CAPABILITY_NAMES,
  type Capability,
} from '../../src/policy/domain/capability-catalogue';
import { assertWithinHardLimits } from '../../src/batteries/domain/tunable-parameters';
import { bundleClaims } from '../../src/bundles/domain/bundle-claims';
import { approvalStillHolds } from '../../src/batteries/domain/authority-reconciliation';
import { DEFAULT_POLICY, DEFAULT_POLICY_DOCUMENT } from '../../src/policy/domain/default-policy';
import { explain } from '../../src/policy/domain/explain';
import type {
  ActionRule,
  ActivePolicy,
  IssuanceRule,
  PartyRole,
  PolicyAction,
  PolicyDocument,
} from '../../src/policy/domain/policy-document';
import { POLICY_ACTIONS } from '../../src/policy/domain/policy-document';
import {
  policyDecider,
  type PolicyCommand,
  type PolicyState,
} from '../../src/policy/domain/policy-decider';
import { RELATIONSHIPS, type Relationship } from '../../src/policy/domain/relationship';
import { policyProblems } from '../../src/policy/domain/validate-policy';

/**
 * The README's policy section promises things "under any policy". Here random policy documents
 * meet random command sequences by random people: every document validation accepts must keep
 * every promise, and every document that would break one must be refused.
 */

const ALL_ROLES = Object.values(ROLES);
const DAY = 86_400_000;

// ---- random policy documents -------------------------------------------------------------------

const partyRole: fc.Arbitrary<PartyRole> = fc.record({
  relationship: fc.constantFrom(...RELATIONSHIPS),
  role: fc.constantFrom(...ALL_ROLES),
});
const randomRule: fc.Arbitrary<ActionRule> = fc.record({
  performers: fc.array(partyRole, { minLength: 1, maxLength: 3 }),
  approvals: fc.array(fc.record({ anyOf: fc.array(partyRole, { minLength: 1, maxLength: 3 }) }), {
    maxLength: 2,
  }),
});
/** Most actions keep the default rule, so the documents stay close enough to valid to be adopted often. */
const actionRules = fc.record(
  Object.fromEntries(
    POLICY_ACTIONS.map((action) => [
      action,
      fc.oneof(
        { weight: 12, arbitrary: fc.constant(DEFAULT_POLICY_DOCUMENT.actions[action]) },
        { weight: 1, arbitrary: randomRule },
      ),
    ]),
  ) as Record<PolicyAction, fc.Arbitrary<ActionRule>>,
);
const issuanceRules: fc.Arbitrary<IssuanceRule[]> = fc.uniqueArray(
  fc.record({
    id: fc.constantFrom('r1', 'r2', 'r3', 'r4'),
    relationship: fc.constantFrom('owner' as const, 'operator' as const),
    role: fc.constantFrom(...ALL_ROLES),
    maxLayer: fc.constantFrom(1, 2, 3, 4) as fc.Arbitrary<IssuanceRule['maxLayer']>,
    holders: fc.constantFrom('anyone' as const, 'own-party' as const),
  }),
  { maxLength: 4, selector: (rule) => rule.id },
);
const layers = fc.record(
  Object.fromEntries(
    CAPABILITY_NAMES.map((name) => [
      name,
      fc.oneof(
        { weight: 10, arbitrary: fc.constant(CAPABILITIES[name]) },
        { weight: 1, arbitrary: fc.constantFrom(1, 2, 3, 4) },
      ),
    ]),
  ) as Record<Capability, fc.Arbitrary<1 | 2 | 3 | 4>>,
);
const policyDocument: fc.Arbitrary<PolicyDocument> = fc.record({
  roles: fc.constant(ALL_ROLES),
  capabilities: layers,
  issuance: fc.oneof(fc.constant(DEFAULT_POLICY_DOCUMENT.issuance), issuanceRules),
  actions: actionRules,
  regulatoryReadAccess: fc.record({
    capability: fc.constant('status.read' as const),
    relationships: fc.oneof(
      { weight: 6, arbitrary: fc.constant<Relationship[]>(['owner', 'operator']) },
      { weight: 1, arbitrary: fc.subarray([...RELATIONSHIPS]) },
    ),
  }),
  keyLifetimeMaxDays: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 800 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 5000) },
  ),
});

// ---- random people and commands ----------------------------------------------------------------

/** Everyone of the fixture cast, plus people who hold tokens of two parties or many roles. */
const cast: Actor[] = [
  ...Object.values(actors),
  { personId: 'alice', partyId: 'cells', roles: ['cell-engineer'] }, // alice is also lessor-a's owner-admin
  { personId: 'carl', partyId: 'lessor-a', roles: ['fleet-finance'] }, // carl is also the specialist's engineer
  { personId: 'pat', partyId: 'lessor-a', roles: ['owner-admin'] }, // pat is also a platform admin
  { personId: 'omni', partyId: 'lessor-a', roles: ALL_ROLES },
  { personId: 'omni', partyId: 'courier', roles: ALL_ROLES },
  { personId: 'omni', partyId: 'cells', roles: ALL_ROLES },
  { personId: 'bea', partyId: 'lessor-b', roles: ALL_ROLES },
  { personId: 'olaf', partyId: 'oem', roles: ALL_ROLES },
];
/** Mostly the people with a stake in the battery, so decisions get past "who are you" often. */
const stakeholders = cast.filter(
  (a) => ['lessor-a', 'cells', 'courier', 'lessor-b'].includes(a.partyId) && a.personId !== 'dan',
);
const person = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...stakeholders) },
  { weight: 1, arbitrary: fc.constantFrom(...cast) },
);
const id = fc.constantFrom('a', 'b');
const holderParty = fc.constantFrom(
  parties.lessorA,
  parties.courier,
  parties.workshop,
  parties.cells,
);
const parameterChange = fc.record(
  {
    socMinPercent: fc.integer({ min: -5, max: 30 }),
    socMaxPercent: fc.integer({ min: 70, max: 105 }),
    chargeCellVoltageMaxV: fc.constantFrom(4.1, 4.2, 4.25, 5.25),
    chargeCurrentLimitA: fc.constantFrom(-1, 50, 100, 101),
    dischargeCurrentLimitA: fc.constantFrom(150, 201),
  },
  { requiredKeys: [] },
);
const later = new Date(NOW.getTime() + DAY);

type Step = (context: (actor: Actor) => CommandContext) => BatteryCommand;
const step = <T>(
  arbitrary: fc.Arbitrary<T>,
  make: (value: T, context: (actor: Actor) => CommandContext) => BatteryCommand,
): fc.Arbitrary<Step> =>
  arbitrary.map((value) => {
    const made: Step = (context) => make(value, context);
    // A counterexample then reads as the commands it is made of.
    made.toString = () => {
      const { context: _context, ...command } = make(value, (actor) => ({
        actor,
        now: NOW,
        requestId: 'r',
        policy: DEFAULT_POLICY,
      }));
      return `${JSON.stringify(command)} by ${JSON.stringify(make(value, (actor) => ({ actor, now: NOW, requestId: 'r', policy: DEFAULT_POLICY })).context.actor)}`;
    };
    return made;
  });

const steps: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: step(
      fc.record({
        who: person,
        keyId: id,
        caps: fc.subarray(CAPABILITY_NAMES, { minLength: 1, maxLength: 4 }),
        holder: holderParty,
        holderPerson: fc.constantFrom('tom', 'dan', 'alice', 'carl', 'omni'),
        key: fc.constantFrom('k1', 'k2', 'k3'),
        days: fc.constantFrom(30, 365, 1000, 4000),
      }),
      (v, context) => ({
        type: 'IssueKey',
        keyId: `${v.keyId}-${v.key}`,
        holder: { personId: v.holderPerson, party: v.holder },
        publicKey: holderKey(v.key),
        capabilities: v.caps,
        notBefore: NOW,
        notAfter: new Date(NOW.getTime() + v.days * DAY),
        context: context(v.who),
      }),
    ),
  },
  {
    weight: 3,
    arbitrary: step(
      fc.record({ who: person, keyId: id, key: fc.constantFrom('k1', 'k2', 'k3') }),
      (v, context) => ({
        type: 'RevokeKey',
        keyId: `${v.keyId}-${v.key}`,
        reason: 'r',
        context: context(v.who),
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: step(person, (who, context) => ({
      type: 'AssignOperator',
      leaseId: 'l2',
      operator: parties.courier,
      context: context(who),
    })),
  },
  {
    weight: 1,
    arbitrary: step(
      fc.record({ who: person, leaseId: fc.constantFrom('l', 'l2') }),
      (v, context) => ({ type: 'EndLease', leaseId: v.leaseId, context: context(v.who) }),
    ),
  },
  {
    weight: 1,
    arbitrary: step(person, (who, context) => ({
      type: 'ContractSpecialist',
      contractId: 'c2',
      specialist: parties.cells,
      context: context(who),
    })),
  },
  {
    weight: 2,
    arbitrary: step(
      fc.record({ who: person, contractId: fc.constantFrom('c', 'c2') }),
      (v, context) => ({
        type: 'EndSpecialistContract',
        contractId: v.contractId,
        context: context(v.who),
      }),
    ),
  },
  {
    weight: 5,
    arbitrary: step(
      fc.record({ who: person, proposalId: id, parameters: parameterChange }),
      (v, context) => ({
        type: 'ProposeParameterChange',
        proposalId: v.proposalId,
        parameters: v.parameters,
        expiresAt: later,
        context: context(v.who),
      }),
    ),
  },
  {
    weight: 8,
    arbitrary: step(fc.record({ who: person, proposalId: id }), (v, context) => ({
      type: 'ApproveProposal',
      proposalId: v.proposalId,
      context: context(v.who),
    })),
  },
  {
    weight: 1,
    arbitrary: step(fc.record({ who: person, proposalId: id }), (v, context) => ({
      type: 'RejectProposal',
      proposalId: v.proposalId,
      reason: 'no',
      context: context(v.who),
    })),
  },
  {
    weight: 1,
    arbitrary: step(fc.record({ who: person, proposalId: id }), (v, context) => ({
      type: 'WithdrawProposal',
      proposalId: v.proposalId,
      context: context(v.who),
    })),
  },
  {
    weight: 2,
    arbitrary: step(fc.record({ who: person, proposalId: id }), (v, context) => ({
      type: 'RequestRecovery',
      proposalId: v.proposalId,
      expiresAt: later,
      context: context(v.who),
    })),
  },
  {
    weight: 1,
    arbitrary: step(person, (who, context) => ({ type: 'ReportStolen', context: context(who) })),
  },
  {
    weight: 2,
    arbitrary: step(person, (who, context) => ({
      type: 'RequestOwnershipTransfer',
      transferId: 't',
      to: parties.lessorB,
      context: context(who),
    })),
  },
  {
    weight: 3,
    arbitrary: step(person, (who, context) => ({
      type: 'ApproveOwnershipTransfer',
      transferId: 't',
      context: context(who),
    })),
  },
  {
    weight: 1,
    arbitrary: step(person, (who, context) => ({
      type: 'CancelOwnershipTransfer',
      transferId: 't',
      context: context(who),
    })),
  },
);

// ---- the promises ------------------------------------------------------------------------------

const key = (a: { personId: string }) => a.personId;

/** What must hold of each event a decision records, given the state before it. */
function checkEvent(
  event: BatteryEvent,
  before: ProvisionedBattery,
  afterAppend: ProvisionedBattery,
  policy: ActivePolicy,
): void {
  switch (event.type) {
    case 'KeyIssued': {
      const issuer = event.meta.actor;
      // Layer 4: nobody, ever; layer 3 and up never directly by the default matrix's shape either way: never beyond the rule.
      expect(event.data.capabilities.some((c) => CAPABILITIES[c] === 4)).toBe(false);
      // An issuer never issues a key to themselves, whichever party either names.
      expect(issuer.personId).not.toBe(event.data.holder.personId);
      // A key's lifetime stays within the policy's bound.
      expect(new Date(event.data.notAfter).getTime()).toBeLessThanOrEqual(
        NOW.getTime() + policy.document.keyLifetimeMaxDays * DAY,
      );
      // A public key revoked on this battery never comes back.
      expect(before.revokedThumbprints).not.toContain(event.data.publicKey.thumbprint);
      // The key rests on an authority the issuer's party holds now.
      const authority = event.data.authority;
      expect(authority.partyId).toBe(issuer.partyId);
      if (authority.relationship === 'owner') expect(before.ownerId).toBe(issuer.partyId);
      else expect(before.lease?.leaseId).toBe(authority.leaseId);
      break;
    }
    case 'ProposalApproved': {
      const proposal = before.proposals.find((p) => p.proposalId === event.data.proposalId);
      expect(proposal).toBeDefined();
      // The proposer never counts; one person approves once, whatever party their token names.
      expect(key(event.data.approval.approver)).not.toBe(key(proposal!.proposedBy));
      const standing = proposal!.approvals.filter((a) =>
        approvalStillHolds(a, relationshipFacts(before)),
      );
      expect(standing.map((a) => key(a.approver))).not.toContain(key(event.data.approval.approver));
      break;
    }
    case 'ParametersChanged': {
      const proposal = before.proposals.find((p) => p.proposalId === event.data.proposalId)!;
      // Hard limits win, the lock holds, and every slot is filled by a distinct person whose authority holds now.
      expect(() => assertWithinHardLimits(event.data.to, before.hardLimits)).not.toThrow();
      expect(before.status).toBe('active');
      expect(new Set(proposal.approvals.map((a) => a.slot)).size).toBe(proposal.required.length);
      expect(
        new Set([...proposal.approvals.map((a) => key(a.approver)), key(proposal.proposedBy)]).size,
      ).toBe(proposal.approvals.length + 1);
      for (const approval of proposal.approvals)
        expect(approvalStillHolds(approval, relationshipFacts(before))).toBe(true);
      // A harmful change never takes effect on one person's word.
      expect(proposal.required.length).toBeGreaterThan(0);
      break;
    }
    case 'BatteryRecovered': {
      const proposal = before.proposals.find((p) => p.proposalId === event.data.proposalId)!;
      expect(proposal.required.length).toBeGreaterThan(0);
      expect(proposal.approvals.map((a) => key(a.approver))).not.toContain(
        key(proposal.proposedBy),
      );
      break;
    }
    case 'OwnershipTransferred': {
      const transfer = before.openTransfer!;
      // The receiving lessor consented, and the old owner's keys are gone in the same append.
      expect(
        transfer.approvals.some(
          (a) =>
            a.relationship === 'receiving-lessor' && a.approver.partyId === event.data.toOwnerId,
        ),
      ).toBe(true);
      expect(
        afterAppend.keys.filter(
          (k) =>
            k.authority.relationship === 'owner' && k.authority.partyId === event.data.fromOwnerId,
        ),
      ).toEqual([]);
      expect(afterAppend.lease).toBeNull();
      break;
    }
    case 'LeaseEnded':
      expect(
        afterAppend.keys.filter(
          (k) =>
            k.authority.relationship === 'operator' && k.authority.leaseId === event.data.leaseId,
        ),
      ).toEqual([]);
      break;
    default:
      break;
  }
}

/** What must hold of the state after every accepted command. */
function checkState(battery: ProvisionedBattery, policy: ActivePolicy): void {
  const claims = bundleClaims(battery, { issuer: 'x', now: NOW, ttlSeconds: 60 });
  expect(() => assertWithinHardLimits(claims.params, hardLimits)).not.toThrow();
  expect(claims.keys.flatMap((k) => k.caps).some((c) => CAPABILITIES[c] === 4)).toBe(false);
  if (battery.status === 'stolen')
    expect(claims.keys.flatMap((k) => k.caps).every((c) => c === 'status.read')).toBe(true);
  // No approval outlives the authority behind it; no stolen battery keeps a parameter change open.
  const facts = relationshipFacts(battery);
  for (const open of [
    ...battery.proposals,
    ...(battery.openTransfer ? [battery.openTransfer] : []),
  ]) {
    for (const approval of open.approvals) expect(approvalStillHolds(approval, facts)).toBe(true);
    const people = open.approvals.map((a) => key(a.approver));
    expect(new Set(people).size).toBe(people.length);
    expect(people).not.toContain(key(open.proposedBy));
  }
  if (battery.status === 'stolen')
    expect(battery.proposals.filter((p) => p.kind === 'parameter-change')).toEqual([]);
  // Art. 14: the owner and the operator read the battery's health whatever the policy says.
  const owner: Actor = { personId: 'x', partyId: battery.ownerId, roles: [] };
  expect(explain(policy, owner, explainTarget(battery), { action: 'health.read' }).allowed).toBe(
    true,
  );
  if (battery.lease)
    expect(
      explain(
        policy,
        { personId: 'y', partyId: battery.lease.operatorId, roles: [] },
        explainTarget(battery),
        {
          action: 'health.read',
        },
      ).allowed,
    ).toBe(true);
}

/** A policy never locks policy changes: platform people can always change it again. */
function checkPolicyStaysChangeable(policy: ActivePolicy): void {
  const platformPerson = (n: number): Actor => ({
    personId: `platform-${n}`,
    partyId: 'platform',
    roles: ALL_ROLES,
  });
  const context = (n: number) => ({ actor: platformPerson(n), now: NOW, requestId: 'r', policy });
  let state: PolicyState = { active: policy, pending: null };
  const run = (command: PolicyCommand) => {
    state = policyDecider.decide(command, state).reduce(policyDecider.evolve, state);
  };
  run({
    type: 'ProposePolicyChange',
    proposalId: 'next',
    document: DEFAULT_POLICY_DOCUMENT,
    context: context(0),
  });
  for (let n = 1; state.pending && n <= 10; n++)
    run({ type: 'ApprovePolicyChange', proposalId: 'next', context: context(n) });
  expect(state.active.version).toBe(policy.version + 1);
}

/** Runs the plan under the document, checking every promise; answers how often each event type was recorded. */
function run(
  document: PolicyDocument,
  plan: Step[],
  recorded = new Map<string, number>(),
): Map<string, number> {
  const policy: ActivePolicy = { version: 2, document };
  const contextUnder =
    (active: ActivePolicy) =>
    (actor: Actor): CommandContext => ({ actor, now: NOW, requestId: 'r', policy: active });
  // The battery was set up under the default policy; then the random one was adopted.
  const setup: BatteryCommand[] = [
    provisionCommand(),
    {
      type: 'ContractSpecialist',
      contractId: 'c',
      specialist: parties.cells,
      context: contextUnder(DEFAULT_POLICY)(actors.ownerA),
    },
    {
      type: 'AssignOperator',
      leaseId: 'l',
      operator: parties.courier,
      context: contextUnder(DEFAULT_POLICY)(actors.ownerA),
    },
  ];
  let state: BatteryState = batteryDecider.initialState();
  for (const command of setup)
    state = batteryDecider.decide(command, state).reduce(batteryDecider.evolve, state);
  for (const make of plan) {
    const command = make(contextUnder(policy));
    let events: BatteryEvent[];
    try {
      events = batteryDecider.decide(command, state);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Whoever has no relationship to the battery learns nothing about it.
      const battery = state as ProvisionedBattery;
      const related = [
        battery.ownerId,
        battery.lease?.operatorId,
        battery.specialist?.specialistId,
        battery.openTransfer?.toOwnerId,
        battery.manufacturerId,
        'platform',
      ];
      if (!related.includes(command.context.actor.partyId))
        expect(error.code).toBe('battery-not-found');
      continue;
    }
    // Each event is checked against the state just before it and the state the whole append leads to.
    const afterAppend = events.reduce(batteryDecider.evolve, state) as ProvisionedBattery;
    for (const event of events) {
      recorded.set(event.type, (recorded.get(event.type) ?? 0) + 1);
      checkEvent(event, state as ProvisionedBattery, afterAppend, policy);
      state = batteryDecider.evolve(state, event);
    }
    checkState(state as ProvisionedBattery, policy);
  }
  return recorded;
}

describe('the promises of the policy section hold under any policy that validation accepts', () => {
  it('for random policies and random command sequences by random people', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        policyDocument,
        fc.array(steps, { minLength: 15, maxLength: 50 }),
        (document, plan) => {
          if (policyProblems(document).length > 0) return;
          accepted++;
          checkPolicyStaysChangeable({ version: 2, document });
          run(document, plan);
        },
      ),
      { numRuns: 300 },
    );
    // The generator must reach accepted policies often enough for the promises to be exercised.
    expect(accepted).toBeGreaterThan(30);
  });

  it('under the default policy, for random sequences', () => {
    fc.assert(
      fc.property(fc.array(steps, { minLength: 15, maxLength: 60 }), (plan) => {
        run(DEFAULT_POLICY_DOCUMENT, plan);
      }),
      { numRuns: 500 },
    );
  });

  // Whether the generator reaches the decisions that matter is a property of the generator, not
  // of the service: checked on a fixed seed so that it cannot flicker. (Lapsed approvals come up too
  // rarely to require here; authority-reconciliation.spec.ts and test/security cover them by name.)
  it('with sequences that reach issuance, revocation, approvals, applied changes, recovery and transfers', () => {
    const recorded = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(steps, { minLength: 15, maxLength: 60 }), (plan) => {
        run(DEFAULT_POLICY_DOCUMENT, plan, recorded);
      }),
      { numRuns: 500, seed: 20261201 },
    );
    for (const type of [
      'KeyIssued',
      'KeyRevoked',
      'ProposalApproved',
      'ParametersChanged',
      'BatteryRecovered',
      'OwnershipTransferred',
    ]) {
      expect({ type, reached: (recorded.get(type) ?? 0) > 0 }).toEqual({ type, reached: true });
    }
  });

  it('and every document that would break one of them is refused', () => {
    fc.assert(
      fc.property(policyDocument, (document) => {
        const problems = policyProblems(document);
        const breaks =
          Object.entries(document.capabilities).some(
            ([name, layer]) => layer < CAPABILITIES[name as Capability],
          ) ||
          document.issuance.some((rule) => (rule.maxLayer as number) >= 4) ||
          !['owner', 'operator'].every((r) =>
            document.regulatoryReadAccess.relationships.includes(r as Relationship),
          ) ||
          document.keyLifetimeMaxDays < 1 ||
          document.keyLifetimeMaxDays > 3650 ||
          !document.actions['policy.change'].performers.some(
            (p) => p.relationship === 'platform',
          ) ||
          document.actions['policy.change'].approvals.some(
            (slot) => !slot.anyOf.some((a) => a.relationship === 'platform'),
          ) ||
          (
            [
              'parameters.soc-window',
              'parameters.charge-voltage',
              'parameters.rate-limits',
              'theft.recovery',
              'policy.change',
            ] as const
          ).some((a) => document.actions[a].approvals.length === 0) ||
          !document.actions['ownership.transfer'].approvals.some((slot) =>
            slot.anyOf.every((a) => a.relationship === 'receiving-lessor'),
          );
        if (breaks) expect(problems).not.toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
