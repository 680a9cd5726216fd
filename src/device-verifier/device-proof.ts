import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { DEVICE_PROOF_TYP } from './protocol';

export interface DeviceIdentity {
  serial: string;
  /** The identity private key (P-256 or Ed25519), inside the security chip on a real device. */
  privateKey: KeyObject;
  /** RFC 7638 thumbprint of its public key. */
  thumbprint: string;
}

export interface ProofRequest {
  method: string;
  /** The request URL; query and fragment are dropped from `htu`. */
  url: string;
  /** Epoch seconds. */
  now: number;
  /** For an acknowledgement: what is acknowledged. */
  ack?: { ver: number; iat: number };
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A fresh, single-use proof for one request, signed with the identity key (docs/key-bundle.md).
 * Synchronous, so a load generator can make one per request inside a synchronous hook.
 */
export function createDeviceProofSync(device: DeviceIdentity, request: ProofRequest): string {
  const url = new URL(request.url);
  const ed25519 = device.privateKey.asymmetricKeyType === 'ed25519';
  const header = part({
    alg: ed25519 ? 'EdDSA' : 'ES256',
    typ: DEVICE_PROOF_TYP,
    kid: device.thumbprint,
  });
  const claims = part({
    htm: request.method,
    htu: `${url.origin}${url.pathname}`,
    sub: device.serial,
    jti: randomBytes(16).toString('base64url'),
    iat: request.now,
    ...(request.ack ? { ack: request.ack } : {}),
  });
  const input = Buffer.from(`${header}.${claims}`);
  // JWS ES256 wants r||s (IEEE P1363), not the DER that node:crypto returns by default.
  const signature = ed25519
    ? sign(null, input, device.privateKey)
    : sign('sha256', input, { key: device.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${header}.${claims}.${signature.toString('base64url')}`;
}

export async function createDeviceProof(
  device: DeviceIdentity,
  request: ProofRequest,
): Promise<string> {
  return createDeviceProofSync(device, request);
}
