import { randomBytes, sign, type KeyObject } from 'node:crypto';

/** The proof header and type of docs/key-bundle.md (device authentication). */
export const DEVICE_PROOF_HEADER = 'device-proof';
export const DEVICE_PROOF_TYP = 'battery-device-proof+jwt';

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * A fresh single-use device proof, signed synchronously (Ed25519 through node:crypto) so the load
 * generator can make one inside autocannon's synchronous `setupRequest`, one per request, as a
 * fleet of devices would. Same shape as src/device-verifier's createDeviceProof: a compact JWS
 * with typ battery-device-proof+jwt, kid = the identity key's thumbprint, claims htm, htu, sub,
 * jti, iat.
 */
export function deviceProofSync(device: { serial: string; privateKey: KeyObject; thumbprint: string }, method: string, url: string): string {
  const parsed = new URL(url);
  const header = b64(JSON.stringify({ alg: 'EdDSA', typ: DEVICE_PROOF_TYP, kid: device.thumbprint }));
  const payload = b64(
    JSON.stringify({
      htm: method,
      htu: `${parsed.origin}${parsed.pathname}`,
      sub: device.serial,
      jti: randomBytes(16).toString('base64url'),
      iat: Math.floor(Date.now() / 1000),
    }),
  );
  const signature = sign(null, Buffer.from(`${header}.${payload}`), device.privateKey);
  return `${header}.${payload}.${b64(signature)}`;
}
