import { SignJWT } from 'jose';
import { randomBytes, type KeyObject } from 'node:crypto';
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

/** A fresh, single-use proof for one request, signed with the identity key (docs/key-bundle.md). */
export function createDeviceProof(device: DeviceIdentity, request: ProofRequest): Promise<string> {
  const url = new URL(request.url);
  const htu = `${url.origin}${url.pathname}`;
  const alg = device.privateKey.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256';
  return new SignJWT({ htm: request.method, htu, sub: device.serial, ...(request.ack ? { ack: request.ack } : {}) })
    .setProtectedHeader({ alg, typ: DEVICE_PROOF_TYP, kid: device.thumbprint })
    .setJti(randomBytes(16).toString('base64url'))
    .setIssuedAt(request.now)
    .sign(device.privateKey);
}
