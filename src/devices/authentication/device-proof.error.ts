import type { DeviceProofRefusal } from './device-proof';

/** A device's proof was refused; the HTTP layer answers 401 (503 when the replay cache is full). */
export class DeviceProofError extends Error {
  constructor(
    readonly code: DeviceProofRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceProofError';
  }

  get status(): number {
    return this.code === 'device-proof-cache-full' ? 503 : 401;
  }
}
