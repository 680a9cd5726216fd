import {
  createDeviceProof,
  DEVICE_PROOF_HEADER,
  type BundleEnvelope,
  type DeviceIdentity,
} from '../device-verifier';

export interface PullOptions {
  baseUrl: string;
  device: DeviceIdentity;
  /** The ETag of the bundle the device holds: the service answers 304 when it is current. */
  etag?: string;
  encrypt?: boolean;
  /** Long-poll: ask the service to wait up to this many seconds for a newer bundle. */
  waitSeconds?: number;
  /** Epoch seconds for the proof's `iat`; the clock by default. */
  now?: number;
  signal?: AbortSignal;
}

export interface PullResult {
  status: number;
  etag: string | null;
  envelope?: BundleEnvelope;
  /** The problem `code` of a refusal. */
  code?: string;
  elapsedMs: number;
}

const epochSeconds = () => Math.floor(Date.now() / 1000);

/**
 * One authenticated device pull: a fresh proof, If-None-Match, optional long-poll and
 * encryption. The unit of "authenticated device pulls" for load tests.
 */
export async function pullBundleOnce(options: PullOptions): Promise<PullResult> {
  const url = `${options.baseUrl}/v1/devices/${encodeURIComponent(options.device.serial)}/bundle${options.encrypt ? '?encrypt=true' : ''}`;
  const proof = await createDeviceProof(options.device, {
    method: 'GET',
    url,
    now: options.now ?? epochSeconds(),
  });
  const headers: Record<string, string> = { [DEVICE_PROOF_HEADER]: proof };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.waitSeconds) headers.prefer = `wait=${options.waitSeconds}`;
  const started = performance.now();
  const response = await fetch(url, { headers, signal: options.signal });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  const etag = response.headers.get('etag');
  if (response.status === 200)
    return { status: 200, etag, envelope: JSON.parse(text) as BundleEnvelope, elapsedMs };
  return {
    status: response.status,
    etag,
    ...(text ? { code: (JSON.parse(text) as { code?: string }).code } : {}),
    elapsedMs,
  };
}

export interface AcknowledgeResult {
  status: number;
  code?: string;
  replayed?: boolean;
}

/** Tells the service which bundle the device applied; the proof signs the acknowledged counter. */
export async function acknowledgeBundle(options: {
  baseUrl: string;
  device: DeviceIdentity;
  ver: number;
  iat: number;
  now?: number;
  signal?: AbortSignal;
}): Promise<AcknowledgeResult> {
  const url = `${options.baseUrl}/v1/devices/${encodeURIComponent(options.device.serial)}/acknowledgements`;
  const ack = { ver: options.ver, iat: options.iat };
  const proof = await createDeviceProof(options.device, {
    method: 'POST',
    url,
    now: options.now ?? epochSeconds(),
    ack,
  });
  const response = await fetch(url, {
    method: 'POST',
    headers: { [DEVICE_PROOF_HEADER]: proof, 'content-type': 'application/json' },
    body: JSON.stringify(ack),
    signal: options.signal,
  });
  const body = (await response.json()) as { code?: string; replayed?: boolean };
  return { status: response.status, code: body.code, replayed: body.replayed };
}
