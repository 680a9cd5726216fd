import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { Actor } from '../shared/domain/actor';

const identifier = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/);
const actorClaims = z.object({
  sub: identifier,
  party: identifier,
  roles: z.array(z.string().min(1).max(64)).max(32),
});

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  algorithms: string[];
}

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/**
 * Turns a Bearer token into the actor every event records. Issuer, audience, expiry and algorithm
 * are all checked by jose; the actor never comes from a request body.
 */
export class TokenVerifier {
  constructor(private readonly keys: JWTVerifyGetKey, private readonly options: TokenVerifierOptions) {}

  static withLocalKeys(publicJwks: { keys: object[] }, options: TokenVerifierOptions): TokenVerifier {
    return new TokenVerifier(createLocalJWKSet(publicJwks as Parameters<typeof createLocalJWKSet>[0]), options);
  }

  static withRemoteJwks(url: string, options: TokenVerifierOptions): TokenVerifier {
    return new TokenVerifier(createRemoteJWKSet(new URL(url)), options);
  }

  async verify(token: string): Promise<Actor> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw new InvalidTokenError(`Token refused: ${(error as Error).message}`);
    }
    const claims = actorClaims.safeParse(payload);
    if (!claims.success) throw new InvalidTokenError('Token lacks a valid sub, party or roles claim');
    return { personId: claims.data.sub, partyId: claims.data.party, roles: claims.data.roles };
  }
}

export const TOKEN_VERIFIER = Symbol('TokenVerifier');
