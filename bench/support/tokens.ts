import { importJWK, SignJWT, type JWK } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The service's defaults (AUTH_ISSUER, AUTH_AUDIENCE). */
export const TOKEN_ISSUER = 'urn:battery-keys:local-issuer';
export const TOKEN_AUDIENCE = 'battery-keys';

export interface TokenSpec {
  personId: string;
  partyId: string;
  roles: string[];
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
}

/** The local issuer's private key the service created under its data directory. */
export function localIssuerKey(dataDir: string): JWK {
  return JSON.parse(readFileSync(join(dataDir, 'token-issuer.private.jwk'), 'utf8')) as JWK;
}

/** A Bearer token as `npm run token` would mint it (ES256, the issuer key's kid). */
export async function mintToken(privateJwk: JWK, spec: TokenSpec): Promise<string> {
  const key = await importJWK(privateJwk, 'ES256');
  return new SignJWT({ party: spec.partyId, roles: spec.roles })
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT' })
    .setSubject(spec.personId)
    .setIssuer(spec.issuer ?? TOKEN_ISSUER)
    .setAudience(spec.audience ?? TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (spec.ttlSeconds ?? 3600))
    .sign(key);
}

/** The people of the bench fleet (see fleet-loader's FLEET_ACTORS). */
export async function fleetTokens(
  dataDir: string,
): Promise<Record<'platform' | 'provisioner' | 'owner' | 'ownerB' | 'auditor', string>> {
  const key = localIssuerKey(dataDir);
  return {
    platform: await mintToken(key, {
      personId: 'pat',
      partyId: 'platform',
      roles: ['platform-admin'],
    }),
    provisioner: await mintToken(key, { personId: 'olga', partyId: 'oem', roles: ['provisioner'] }),
    owner: await mintToken(key, { personId: 'alice', partyId: 'lessor-a', roles: ['owner-admin'] }),
    ownerB: await mintToken(key, { personId: 'bob', partyId: 'lessor-b', roles: ['owner-admin'] }),
    auditor: await mintToken(key, { personId: 'audrey', partyId: 'platform', roles: ['auditor'] }),
  };
}
