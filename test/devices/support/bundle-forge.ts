import { base64url, type JWK } from 'jose';
import { createHmac, createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import { signCompactJws } from '../../../src/signing/compact-jws';
import type { Es256Key } from '../../../src/signing/es256-key';
import { LocalEs256Key } from '../../../src/signing/local-es256-key';
import type { TrustFile } from '../../../src/signing/trust/trust-file';
import { EXAMPLE_HARD_LIMITS } from '../../../src/device-simulator/simulated-fleet';

/**
 * Builds bundles, honest and forged, for the verifier tests, the attack tests and the test
 * vectors. Claims are written out as docs/key-bundle.md defines them, not taken from the service,
 * so a drift in either shows.
 */
export const BUNDLE_TYP = 'battery-key-bundle+jwt';
// Spread into an object type (not the interface) so it also serves as a Record<string, number>.
export const HARD_LIMITS = { ...EXAMPLE_HARD_LIMITS };
export const PARAMS = {
  socMinPercent: 0,
  socMaxPercent: 100,
  chargeCellVoltageMaxV: 4.25,
  chargeCurrentLimitA: 100,
  dischargeCurrentLimitA: 200,
};

export interface ClaimsTerms {
  serial: string;
  deviceThumbprint: string;
  issuer?: string;
  ver: number;
  iat: number;
  ttlSeconds?: number;
  holder?: { kid: string; jwk: JWK };
}

export function bundleClaims(
  terms: ClaimsTerms,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const ttl = terms.ttlSeconds ?? 86_400;
  return {
    iss: terms.issuer ?? 'urn:battery-keys:bundle-service',
    sub: terms.serial,
    aud: `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${terms.deviceThumbprint}`,
    iat: terms.iat,
    exp: terms.iat + ttl,
    fmt: 1,
    ver: terms.ver,
    locked: false,
    owner: 'lessor-a',
    operator: 'courier',
    keys: terms.holder
      ? [
          {
            kid: terms.holder.kid,
            key_id: 'driver-dan',
            holder: { person: 'dan', party: 'courier' },
            jwk: terms.holder.jwk,
            caps: ['discharge', 'charge', 'status.read'],
            nbf: terms.iat,
            exp: terms.iat + 365 * 86_400,
          },
        ]
      : [],
    params: PARAMS,
    limits: HARD_LIMITS,
    ...overrides,
  };
}

export const signBundle = (key: Es256Key, claims: object, header: Record<string, unknown> = {}) =>
  signCompactJws(key, { typ: BUNDLE_TYP, ...header }, claims);

const part = (value: object) => base64url.encode(JSON.stringify(value));

/** `alg: none`: no signature at all. */
export const unsignedBundle = (kid: string, claims: object) =>
  `${part({ alg: 'none', kid, typ: BUNDLE_TYP })}.${part(claims)}.`;

/** The key-confusion attack: HS256 keyed with the signing key's public key (its PEM), which anyone has. */
export function hmacWithPublicKey(publicJwk: JWK, kid: string, claims: object): string {
  const secret = createPublicKey({
    key: publicJwk as import('node:crypto').JsonWebKey,
    format: 'jwk',
  }).export({ type: 'spki', format: 'pem' });
  const input = `${part({ alg: 'HS256', kid, typ: BUNDLE_TYP })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Signed with an Ed25519 key: a valid signature, with an algorithm devices do not accept. */
export function eddsaSigned(privateJwk: JWK, kid: string, claims: object): string {
  const input = `${part({ alg: 'EdDSA', kid, typ: BUNDLE_TYP })}.${part(claims)}`;
  const signature = nodeSign(
    null,
    Buffer.from(input),
    createPrivateKey({ key: privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
  );
  return `${input}.${signature.toString('base64url')}`;
}

/** A signature by `key` presented under another key's `kid`: what a forger without the service key can do. */
export async function forgedUnderKid(key: Es256Key, kid: string, claims: object): Promise<string> {
  return signCompactJws(
    { kid, publicJwk: key.publicJwk, signEs256: (input) => key.signEs256(input) },
    { typ: BUNDLE_TYP },
    claims,
  );
}

export const envelopeOf = (bundle: string, trust: Pick<TrustFile, 'delegation' | 'rootChain'>) => ({
  fmt: 1,
  bundle,
  delegation: trust.delegation,
  rootChain: [...trust.rootChain],
});

export async function keyFrom(privateJwk: JWK): Promise<LocalEs256Key> {
  return LocalEs256Key.fromPrivateJwk(privateJwk);
}
