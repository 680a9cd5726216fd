import type { DomainEvent } from '../../shared/domain/domain-event';

/**
 * The device applied a bundle: the `(ver, iat)` pair it now enforces, which is also its monotonic
 * counter. Recorded in the device's own stream, so an acknowledgement never competes with a
 * battery command for the battery stream and never advances the bundle version.
 */
export type BundleApplied = DomainEvent<
  'BundleApplied',
  {
    serial: string;
    ver: number;
    iat: number;
    /** Thumbprint of the device key whose proof carried the acknowledgement. */
    deviceKeyThumbprint: string;
    /** The proof's `jti`, to match the event with the request logs. */
    proofId: string;
  }
>;

export type DeviceEvent = BundleApplied;

export const DEVICE_STREAM_PREFIX = 'device-';
export const deviceStreamId = (serial: string) => `${DEVICE_STREAM_PREFIX}${serial}`;
