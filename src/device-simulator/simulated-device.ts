import {
  initialDeviceState,
  verifyBundle,
  type DeviceIdentity,
  type DeviceProfile,
  type DeviceState,
} from '../device-verifier';
import { acknowledgeBundle, pullBundleOnce } from './device-client';

export type SyncOutcome =
  | { kind: 'applied'; ver: number; iat: number }
  | { kind: 'current' }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; status: number; code?: string };

/**
 * A battery as the field sees it: pulls with its proof, verifies with the reference verifier,
 * applies (replaces its state) and acknowledges. State lives in memory; the CLI verifier shows
 * the state file that stands in for a device's monotonic storage.
 */
export class SimulatedDevice {
  state: DeviceState;
  private etag: string | undefined;

  constructor(
    readonly identity: DeviceIdentity,
    readonly profile: DeviceProfile,
    private readonly baseUrl: string,
  ) {
    this.state = initialDeviceState(profile);
  }

  /** One pull–verify–apply–acknowledge round. */
  async sync(
    options: { encrypt?: boolean; waitSeconds?: number; signal?: AbortSignal } = {},
  ): Promise<SyncOutcome> {
    const pulled = await pullBundleOnce({
      baseUrl: this.baseUrl,
      device: this.identity,
      etag: this.etag,
      ...options,
    });
    if (pulled.status === 304) return { kind: 'current' };
    if (pulled.status !== 200 || !pulled.envelope)
      return { kind: 'failed', status: pulled.status, code: pulled.code };
    const verdict = await verifyBundle(
      pulled.envelope,
      this.profile,
      this.state,
      Math.floor(Date.now() / 1000),
    );
    if (!verdict.accepted) return { kind: 'refused', reason: verdict.reason };
    this.state = verdict.state;
    this.etag = pulled.etag ?? undefined;
    const { ver, iat } = verdict.claims;
    const ack = await acknowledgeBundle({
      baseUrl: this.baseUrl,
      device: this.identity,
      ver,
      iat,
      signal: options.signal,
    });
    if (ack.status !== 201) return { kind: 'failed', status: ack.status, code: ack.code };
    return { kind: 'applied', ver, iat };
  }
}
