import { base64url } from 'jose';
import type { Es256Key } from './es256-key';

const encoder = new TextEncoder();
const ES256_SIGNATURE_BYTES = 64;

/**
 * RFC 7515 compact serialisation, ES256 only: base64url(header) "." base64url(payload), signed.
 * Built by hand so the same code serves a key file and an HSM that returns raw r||s.
 */
export async function signCompactJws(
  key: Es256Key,
  header: { typ: string } & Record<string, unknown>,
  payload: object,
): Promise<string> {
  const protectedHeader = base64url.encode(
    JSON.stringify({ alg: 'ES256', kid: key.kid, ...header }),
  );
  const signingInput = `${protectedHeader}.${base64url.encode(JSON.stringify(payload))}`;
  const signature = await key.signEs256(encoder.encode(signingInput));
  if (signature.length !== ES256_SIGNATURE_BYTES) {
    throw new Error(
      `ES256 signatures are ${ES256_SIGNATURE_BYTES} bytes (r||s); the key returned ${signature.length}`,
    );
  }
  return `${signingInput}.${base64url.encode(signature)}`;
}
