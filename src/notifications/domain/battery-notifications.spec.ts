import {
  actors,
  context,
  contractedBattery,
  history,
  parties,
  proposeSocWindow,
  provisionCommand,
} from '../../../test/support/battery-fixtures';
import type { BatteryEvent } from '../../batteries/domain/battery-events';
import { batteryDecider } from '../../batteries/domain/battery-decider';
import type { ProvisionedBattery } from '../../batteries/domain/battery-state';
import { notificationsOf, type EventReference } from './battery-notifications';

const reference: EventReference = {
  position: '9',
  eventId: 'e-9',
  type: 'test',
  revision: 3,
  occurredAt: '2026-06-01T12:00:00.000Z',
  actor: { personId: 'x', partyId: 'y', role: 'z' },
};

/** Who is told what about the last event of a history, judged on the battery right after it. */
function toldAbout(events: BatteryEvent[]) {
  const battery = events.reduce(batteryDecider.evolve, batteryDecider.initialState());
  return notificationsOf(
    'SN-1',
    events[events.length - 1],
    reference,
    battery as ProvisionedBattery,
  );
}

describe('who a battery event notifies', () => {
  it("a state-of-charge proposal waits on the owner's owner-admin and the specialist's cell-engineer", () => {
    const told = toldAbout(history(...contractedBattery(), proposeSocWindow()));
    expect(told).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          partyId: 'lessor-a',
          kind: 'approval.waiting',
          data: expect.objectContaining({
            proposalId: 'p-1',
            rolesWanted: expect.arrayContaining([{ relationship: 'owner', role: 'owner-admin' }]),
          }),
        }),
        expect.objectContaining({
          partyId: 'cells',
          kind: 'approval.waiting',
          data: expect.objectContaining({
            rolesWanted: [{ relationship: 'cell-specialist', role: 'cell-engineer' }],
          }),
        }),
      ]),
    );
    expect(told.every((n) => n.kind === 'approval.waiting')).toBe(true);
  });

  it('a transfer request tells the receiving lessor, and waits on its owner-admin', () => {
    const told = toldAbout(
      history(provisionCommand(), {
        type: 'RequestOwnershipTransfer',
        transferId: 't-1',
        to: parties.lessorB,
        context: context(actors.ownerA),
      }),
    );
    expect(told.map((n) => [n.partyId, n.kind]).sort()).toEqual([
      ['lessor-b', 'approval.waiting'],
      ['lessor-b', 'transfer.requested'],
    ]);
  });

  it('a theft report tells every party that may read the battery, once each, and nobody else', () => {
    const told = toldAbout(
      history(...contractedBattery(), { type: 'ReportStolen', context: context(actors.ownerA) }),
    );
    expect(told.map((n) => n.partyId).sort()).toEqual(['cells', 'lessor-a', 'oem']);
    expect(told.every((n) => n.kind === 'theft.reported')).toBe(true);
  });

  it('an event that asks nothing of anyone notifies nobody', () => {
    expect(toldAbout(history(provisionCommand()))).toEqual([]);
  });
});
