import type { DeviceEvent } from './device-events';

export interface AppliedBundle {
  ver: number;
  iat: number;
  appliedAt: string;
}

export interface DeviceState {
  /** The newest bundle the device acknowledged; null until its first acknowledgement. */
  lastApplied: AppliedBundle | null;
}

export const initialDeviceState = (): DeviceState => ({ lastApplied: null });

export function evolveDevice(_state: DeviceState, event: DeviceEvent): DeviceState {
  switch (event.type) {
    case 'BundleApplied':
      return {
        lastApplied: { ver: event.data.ver, iat: event.data.iat, appliedAt: event.meta.occurredAt },
      };
  }
}
