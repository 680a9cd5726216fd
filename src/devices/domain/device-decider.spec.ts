import { deciderSpecification } from '../../../test/support/decider-specification';
import { context, NOW } from '../../../test/support/battery-fixtures';
import { deviceActor } from './device-actor';
import type { AcknowledgeBundle } from './device-commands';
import { deviceDecider } from './device-decider';
import type { DeviceEvent } from './device-events';

const spec = deciderSpecification(deviceDecider);
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const versionSince = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000);

const acknowledge = (overrides: Partial<AcknowledgeBundle> = {}): AcknowledgeBundle => ({
  type: 'AcknowledgeBundle',
  serial: 'SN-1',
  ver: 3,
  iat: nowSeconds - 60,
  servedVersion: { version: 3, since: versionSince(120) },
  deviceKeyThumbprint: 'device-thumb',
  proofId: 'proof-1',
  context: context(deviceActor('SN-1', 'oem')),
  ...overrides,
});

const applied = (ver: number, iat: number): DeviceEvent[] =>
  deviceDecider.decide(
    acknowledge({ ver, iat, servedVersion: { version: ver, since: versionSince(3600) } }),
    deviceDecider.initialState(),
  );

describe('acknowledging an applied bundle', () => {
  it('records the version and iat the device applied, acted by the device for its manufacturer', () => {
    spec
      .given([])
      .when(acknowledge())
      .then([
        {
          type: 'BundleApplied',
          data: {
            serial: 'SN-1',
            ver: 3,
            iat: nowSeconds - 60,
            deviceKeyThumbprint: 'device-thumb',
            proofId: 'proof-1',
          },
          meta: {
            actor: { personId: 'device:SN-1', partyId: 'oem', role: 'device' },
            occurredAt: NOW.toISOString(),
          },
        },
      ]);
  });

  it('accepts a newer version', () => {
    spec
      .given(applied(3, nowSeconds - 600))
      .when(acknowledge({ ver: 4, servedVersion: { version: 4, since: versionSince(100) } }))
      .then([{ data: { ver: 4 } }]);
  });

  it('accepts a re-signing of the same version with a later iat', () => {
    spec
      .given(applied(3, nowSeconds - 600))
      .when(acknowledge({ iat: nowSeconds - 10 }))
      .then([{ data: { ver: 3, iat: nowSeconds - 10 } }]);
  });

  it('refuses a version older than the last acknowledged: the device counter never goes back', () => {
    spec
      .given(applied(4, nowSeconds - 60))
      .when(acknowledge({ ver: 3 }))
      .thenThrows('acknowledgement-older-than-last', 'conflict');
  });

  it('refuses the same version signed earlier than the last acknowledged: the device counter never goes back', () => {
    spec
      .given(applied(3, nowSeconds - 30))
      .when(acknowledge({ ver: 3, iat: nowSeconds - 60 }))
      .thenThrows('acknowledgement-older-than-last', 'conflict');
  });

  it('refuses the same acknowledgement twice (a retry is answered from the first through its idempotency key)', () => {
    spec
      .given(applied(3, nowSeconds - 60))
      .when(acknowledge())
      .thenThrows('already-acknowledged', 'conflict');
  });

  it('refuses a version the battery never had', () => {
    spec
      .given([])
      .when(acknowledge({ ver: 9, servedVersion: null }))
      .thenThrows('bundle-never-served', 'conflict');
  });

  it('refuses an iat from before the version existed: no instance could have signed it', () => {
    spec
      .given([])
      .when(acknowledge({ iat: nowSeconds - 3600 }))
      .thenThrows('bundle-never-served');
  });

  it('refuses an iat in the future: no instance could have signed it', () => {
    spec
      .given([])
      .when(acknowledge({ iat: nowSeconds + 3600 }))
      .thenThrows('bundle-never-served');
  });

  it('tolerates an iat slightly before the version existed (clock difference between signing and recording instance)', () => {
    spec
      .given([])
      .when(acknowledge({ iat: nowSeconds - 120 - 20 }))
      .then([{ type: 'BundleApplied' }]);
  });

  it('tolerates an iat slightly in the future (clock difference between signing and recording instance)', () => {
    spec
      .given([])
      .when(acknowledge({ iat: nowSeconds + 20 }))
      .then([{ type: 'BundleApplied' }]);
  });
});
