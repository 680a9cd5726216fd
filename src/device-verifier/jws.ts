import { createHash, webcrypto } from 'node:crypto';
import type { EcPublicJwk } from './types';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface ParsedJws {
  header: Record<string, unknown>;
  payload: Uint8Array;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

/** base64url without padding (RFC 7515 §2); anything else is not a JWS part. */
export function base64urlDecode(part: string): Uint8Array | undefined {
  if (!BASE64URL.test(part) || part.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(part, 'base64url'));
}

export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a compact JWS into its parts; undefined when it is not one. Nothing is trusted yet. */
export function parseCompactJws(jws: string): ParsedJws | undefined {
  const parts = jws.split('.');
  if (parts.length !== 3) return undefined;
  const [headerBytes, payload, signature] = parts.map(base64urlDecode);
  if (!headerBytes || !payload || !signature) return undefined;
  const header = parseJsonObject(headerBytes);
  if (!header) return undefined;
  return {
    header,
    payload,
    signingInput: new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
    signature,
  };
}

/** ECDSA P-256 / SHA-256 over the signing input; the JWS signature is r||s, 64 bytes. */
export async function verifyEs256(jws: ParsedJws, key: EcPublicJwk): Promise<boolean> {
  if (jws.signature.length !== 64) return false;
  try {
    const publicKey = await webcrypto.subtle.importKey(
      'jwk',
      { kty: 'EC', crv: 'P-256', x: key.x, y: key.y },
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    return await webcrypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      publicKey,
      jws.signature,
      jws.signingInput,
    );
  } catch {
    return false;
  }
}

/** RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, no spaces. */
export function jwkThumbprint(jwk: { kty: string; crv: string; x: string; y?: string }): string {
  const canonical =
    jwk.kty === 'EC'
      ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
      : `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

export function isEcPublicJwk(value: unknown): value is EcPublicJwk {
  const jwk = value as Record<string, unknown> | null;
  return (
    typeof jwk === 'object' &&
    jwk !== null &&
    jwk.kty === 'EC' &&
    jwk.crv === 'P-256' &&
    typeof jwk.x === 'string' &&
    typeof jwk.y === 'string' &&
    BASE64URL.test(jwk.x) &&
    BASE64URL.test(jwk.y)
  );
}

export const isWholeNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
