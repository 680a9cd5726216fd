import type { Actor } from '../../src/shared/domain/actor';
import type { CommandContext } from '../../src/policy/domain/command-context';
import type { PartyFacts } from '../../src/shared/domain/party-kind';
import type { BatteryCommand } from '../../src/batteries/domain/battery-commands';
import type { BatteryEvent } from '../../src/batteries/domain/battery-events';
import { batteryDecider } from '../../src/batteries/domain/battery-decider';
import type { HardLimits } from '../../src/batteries/domain/hard-limits';
import { DEFAULT_POLICY } from '../../src/policy/domain/default-policy';
import { EXAMPLE_HARD_LIMITS } from '../../src/device-simulator/simulated-fleet';

/** A small cast for domain tests: one manufacturer, two lessors, an operator and a workshop. */
export const parties = {
  oem: { partyId: 'oem', kind: 'manufacturer' },
  lessorA: { partyId: 'lessor-a', kind: 'lessor' },
  lessorB: { partyId: 'lessor-b', kind: 'lessor' },
  courier: { partyId: 'courier', kind: 'operator' },
  workshop: { partyId: 'workshop', kind: 'service-provider' },
  cells: { partyId: 'cells', kind: 'cell-specialist' },
} satisfies Record<string, PartyFacts>;

export const actors = {
  provisioner: { personId: 'olga', partyId: 'oem', roles: ['provisioner'] },
  ownerA: { personId: 'alice', partyId: 'lessor-a', roles: ['owner-admin'] },
  financeA: { personId: 'fred', partyId: 'lessor-a', roles: ['fleet-finance'] },
  ownerB: { personId: 'bob', partyId: 'lessor-b', roles: ['owner-admin'] },
  fleetManager: { personId: 'carla', partyId: 'courier', roles: ['fleet-manager'] },
  driver: { personId: 'dan', partyId: 'courier', roles: ['driver'] },
  ownerA2: { personId: 'anna', partyId: 'lessor-a', roles: ['owner-admin'] },
  cellEngineer: { personId: 'carl', partyId: 'cells', roles: ['cell-engineer'] },
  cellEngineer2: { personId: 'cora', partyId: 'cells', roles: ['cell-engineer'] },
  platformAdmin: { personId: 'pat', partyId: 'platform', roles: ['platform-admin'] },
  platformAdmin2: { personId: 'paula', partyId: 'platform', roles: ['platform-admin'] },
  multiRole: { personId: 'max', partyId: 'lessor-a', roles: ['owner-admin', 'fleet-finance'] },
} satisfies Record<string, Actor>;

export const NOW = new Date('2026-06-01T12:00:00Z');
export const context = (actor: Actor, reason?: string): CommandContext => ({
  actor,
  now: NOW,
  requestId: 'req-test',
  policy: DEFAULT_POLICY,
  ...(reason ? { reason } : {}),
});

export const hardLimits: HardLimits = EXAMPLE_HARD_LIMITS;

export const deviceKey = {
  jwk: { kty: 'OKP', crv: 'Ed25519', x: 'device-x' },
  thumbprint: 'device-thumb',
};
export const holderKey = (name: string) => ({
  jwk: { kty: 'OKP', crv: 'Ed25519', x: `${name}-x` },
  thumbprint: `${name}-thumb`,
});

export const provisionCommand = (
  overrides: Partial<Extract<BatteryCommand, { type: 'ProvisionBattery' }>> = {},
): BatteryCommand => ({
  type: 'ProvisionBattery',
  serial: 'SN-1',
  model: 'T2-48V',
  chemistry: 'NMC',
  hardLimits,
  deviceKey,
  manufacturer: parties.oem,
  firstOwner: parties.lessorA,
  context: context(actors.provisioner),
  ...overrides,
});

export const issueKeyCommand = (
  overrides: Partial<Extract<BatteryCommand, { type: 'IssueKey' }>> = {},
): BatteryCommand => ({
  type: 'IssueKey',
  keyId: 'key-1',
  holder: { personId: 'tom', party: parties.workshop },
  publicKey: holderKey('tom'),
  capabilities: ['diagnostics.read'],
  notBefore: NOW,
  notAfter: new Date('2027-06-01T12:00:00Z'),
  context: context(actors.ownerA),
  ...overrides,
});

/** Runs commands through the decider to build a history, so fixtures never drift from the rules. */
export function history(...commands: BatteryCommand[]): BatteryEvent[] {
  const events: BatteryEvent[] = [];
  let state = batteryDecider.initialState();
  for (const command of commands) {
    for (const event of batteryDecider.decide(command, state)) {
      events.push(event);
      state = batteryDecider.evolve(state, event);
    }
  }
  return events;
}

/** The state-of-charge scenario the proposal specs share: a battery with a cell specialist under contract. */
export const IN_A_WEEK = new Date(NOW.getTime() + 7 * 86_400_000);
export const contractedBattery = (): BatteryCommand[] => [
  provisionCommand(),
  {
    type: 'ContractSpecialist',
    contractId: 'c-1',
    specialist: parties.cells,
    context: context(actors.ownerA),
  },
];
export const proposeSocWindow = (
  actor: Actor = actors.financeA,
  parameters: Record<string, number> = { socMinPercent: 5, socMaxPercent: 95 },
): Extract<BatteryCommand, { type: 'ProposeParameterChange' }> => ({
  type: 'ProposeParameterChange',
  proposalId: 'p-1',
  parameters,
  expiresAt: IN_A_WEEK,
  context: context(actor, 'more range for the winter'),
});
export const approveProposalAs = (actor: Actor, proposalId = 'p-1'): BatteryCommand => ({
  type: 'ApproveProposal',
  proposalId,
  context: context(actor),
});
