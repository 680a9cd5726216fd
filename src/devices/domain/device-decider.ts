import type { Decider } from '../../shared/domain/decider';
import { conflict } from '../../shared/domain/domain-error';
import { recordedBy } from '../../shared/domain/domain-event';
import { compareBundleCounters } from './bundle-counter';
import { DEVICE_ROLE } from './device-actor';
import type { AcknowledgeBundle, DeviceCommand } from './device-commands';
import type { DeviceEvent } from './device-events';
import { evolveDevice, initialDeviceState, type DeviceState } from './device-state';

/**
 * How far apart the clocks of the instance that signed a bundle and the one that records its
 * acknowledgement may be. `iat` is whole seconds, so the tolerance also absorbs the rounding.
 */
export const SIGNING_CLOCK_TOLERANCE_SECONDS = 30;

export const deviceDecider: Decider<DeviceCommand, DeviceState, DeviceEvent> = {
  initialState: initialDeviceState,
  evolve: evolveDevice,
  decide(command, state) {
    switch (command.type) {
      case 'AcknowledgeBundle':
        return acknowledge(command, state);
    }
  },
};

function acknowledge(command: AcknowledgeBundle, state: DeviceState): DeviceEvent[] {
  assertServed(command);
  const last = state.lastApplied;
  if (last) {
    const order = compareBundleCounters(command, last);
    const details = { acknowledged: { ver: last.ver, iat: last.iat, at: last.appliedAt } };
    if (order === 0)
      throw conflict(
        'already-acknowledged',
        `Bundle ${command.ver} (iat ${command.iat}) is already acknowledged`,
        details,
      );
    // A device never goes back (its counter is monotonic), so an older acknowledgement is either
    // a stale retry or a device that lost its counter: record nothing and say so.
    if (order < 0) {
      throw conflict(
        'acknowledgement-older-than-last',
        `Bundle ${command.ver} (iat ${command.iat}) is older than the acknowledged ${last.ver} (iat ${last.iat})`,
        details,
      );
    }
  }
  return [
    {
      type: 'BundleApplied',
      data: {
        serial: command.serial,
        ver: command.ver,
        iat: command.iat,
        deviceKeyThumbprint: command.deviceKeyThumbprint,
        proofId: command.proofId,
      },
      meta: recordedBy(command.context, DEVICE_ROLE),
    },
  ];
}

/**
 * The service keeps no ledger of every signature; a `(ver, iat)` could have been served if the
 * version existed and `iat` lies between the moment it came into force and now.
 */
function assertServed(command: AcknowledgeBundle): void {
  const served = command.servedVersion;
  if (!served)
    throw conflict(
      'bundle-never-served',
      `Version ${command.ver} of battery ${command.serial}'s bundle does not exist`,
      { ver: command.ver },
    );
  const since = Math.floor(served.since.getTime() / 1000);
  const now = Math.floor(command.context.now.getTime() / 1000);
  if (
    command.iat < since - SIGNING_CLOCK_TOLERANCE_SECONDS ||
    command.iat > now + SIGNING_CLOCK_TOLERANCE_SECONDS
  ) {
    throw conflict(
      'bundle-never-served',
      `No bundle of version ${command.ver} was signed at ${command.iat}: that version came into force at ${since}`,
      {
        ver: command.ver,
        iat: command.iat,
        versionSince: served.since.toISOString(),
      },
    );
  }
}
