import {
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  calculateJwkThumbprint,
  type JWK,
} from 'jose';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The embedded default's identity provider: one ES256 key pair kept under the data directory. The
 * service verifies with its public half; `npm run token` signs with the private half. Production
 * points AUTH_JWKS_URL at a real identity provider instead.
 */
export const LOCAL_ISSUER_KEY_FILE = 'token-issuer.private.jwk';

export async function loadOrCreateLocalIssuerKey(dataDir: string): Promise<JWK> {
  const file = join(dataDir, LOCAL_ISSUER_KEY_FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'ES256';
  mkdirSync(dirname(file), { recursive: true });
  // 'wx' refuses to overwrite a key another process wrote meanwhile; mode 0600 keeps it private.
  try {
    writeFileSync(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return JSON.parse(readFileSync(file, 'utf8')) as JWK;
    throw error;
  }
  return jwk;
}

export function publicPart(jwk: JWK): JWK {
  const { d: _d, ...publicJwk } = jwk;
  return publicJwk;
}

export interface TokenClaims {
  personId: string;
  partyId: string;
  roles: string[];
  ttlSeconds: number;
}

export async function mintToken(
  privateJwk: JWK,
  issuer: string,
  audience: string,
  claims: TokenClaims,
): Promise<string> {
  const key = await importJWK(privateJwk, 'ES256');
  return new SignJWT({ party: claims.partyId, roles: claims.roles })
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT' })
    .setSubject(claims.personId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds}s`)
    .sign(key);
}
