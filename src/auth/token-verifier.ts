import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { z } from 'zod';
import type { Actor } from '../shared/domain/actor';
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache';

const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/);
const actorClaims = z.object({
  sub: identifier,
  party: identifier,
  roles: z.array(z.string().min(1).max(64)).max(32),
});

/**
 * `device:<serial>` is who a battery is in the audit trail (src/devices/domain/device-actor.ts);
 * no person's token may claim it, as subject or as party, in any letter case, or a tenant could
 * act, or be recorded, in a device's name.
 */
const RESERVED_DEVICE_SUBJECT = /^device:/i;

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  algorithms: string[];
  /** Verified tokens remembered (see VerifiedTokenCache); its clock is the verifier's clock too. */
  cache?: VerifiedTokenCacheOptions;
}

/** Why a token was refused: the problem `code` is `token-<reason>`. */
export type TokenRefusal =
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'missing-claim'
  | 'algorithm-refused'
  | 'signature-refused'
  | 'malformed'
  | 'invalid-claims'
  | 'reserved-subject';

/**
 * A token refused, with a fixed sentence of ours: jose's own messages (which name its checks and
 * the claims it saw) never reach the caller.
 */
export class InvalidTokenError extends Error {
  constructor(
    readonly reason: TokenRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** The identity provider's keys could not be fetched: not the caller's fault, so 503, not 401. */
export class TokenKeysUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The identity provider’s keys could not be fetched', { cause });
    this.name = 'TokenKeysUnavailableError';
  }
}

const SENTENCES: Record<TokenRefusal, string> = {
  expired: 'The token has expired',
  'not-yet-valid': 'The token is not valid yet',
  'wrong-issuer': 'The token was not issued by the issuer this service accepts',
  'wrong-audience': 'The token is not meant for this service',
  'missing-claim': 'The token lacks a required claim (exp, sub, iss and aud are required)',
  'algorithm-refused': 'The token is signed with an algorithm this service does not accept',
  'signature-refused': 'The token’s signature or key is not accepted',
  malformed: 'The token is not a well-formed signed JWT',
  'invalid-claims': 'The token lacks a valid sub, party or roles claim',
  'reserved-subject':
    'A person’s token may not name a device: device:<serial> is reserved for batteries',
};

const refused = (reason: TokenRefusal) => new InvalidTokenError(reason, SENTENCES[reason]);

/** Maps jose's error codes (never its messages) to our reasons. */
function refusalOf(error: unknown): InvalidTokenError {
  if (error instanceof errors.JWTExpired) return refused('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return refused('missing-claim');
    if (error.claim === 'nbf' || error.claim === 'iat') return refused('not-yet-valid');
    if (error.claim === 'iss') return refused('wrong-issuer');
    if (error.claim === 'aud') return refused('wrong-audience');
    return refused('malformed');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return refused('algorithm-refused');
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return refused('signature-refused');
  }
  // JWSInvalid, JWTInvalid, JOSENotSupported, and whatever else a crafted token provokes.
  return refused('malformed');
}

/**
 * Turns a Bearer token into the actor every event records. Issuer, audience, expiry and algorithm
 * are all checked by jose; the actor never comes from a request body. A token that verified is
 * remembered by its hash until its expiry, for at most a minute (VerifiedTokenCache), so a caller
 * reusing its token pays one signature check a minute rather than one a request.
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly verified: VerifiedTokenCache;

  constructor(
    keys: JWTVerifyGetKey,
    private readonly options: TokenVerifierOptions,
  ) {
    this.verified = new VerifiedTokenCache(options.cache);
    // A key source that fails (a remote JWKS unreachable, timing out, answering garbage) is told
    // apart from a token that names no key it holds: the first is ours to fix, the second the caller's.
    this.keys = async (header, token) => {
      try {
        return await keys(header, token);
      } catch (error) {
        if (
          error instanceof errors.JWKSNoMatchingKey ||
          error instanceof errors.JWKSMultipleMatchingKeys
        )
          throw error;
        if (error instanceof errors.JOSENotSupported || error instanceof errors.JWSInvalid)
          throw error;
        throw new TokenKeysUnavailableError(error);
      }
    };
  }

  static withLocalKeys(
    publicJwks: { keys: object[] },
    options: TokenVerifierOptions,
  ): TokenVerifier {
    return new TokenVerifier(createLocalJWKSet(publicJwks), options);
  }

  static withRemoteJwks(url: string, options: TokenVerifierOptions): TokenVerifier {
    return new TokenVerifier(createRemoteJWKSet(new URL(url)), options);
  }

  /** The actor of a token verified lately and not yet expired; undefined when it must be verified. */
  known(token: string): Actor | undefined {
    return this.verified.get(VerifiedTokenCache.keyOf(token));
  }

  async verify(token: string): Promise<Actor> {
    const cacheKey = VerifiedTokenCache.keyOf(token);
    const known = this.verified.get(cacheKey);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.verified.now()),
      }));
    } catch (error) {
      if (error instanceof TokenKeysUnavailableError) throw error;
      throw refusalOf(error);
    }
    const claims = actorClaims.safeParse(payload);
    if (!claims.success) throw refused('invalid-claims');
    if (
      RESERVED_DEVICE_SUBJECT.test(claims.data.sub) ||
      RESERVED_DEVICE_SUBJECT.test(claims.data.party)
    )
      throw refused('reserved-subject');
    const actor = {
      personId: claims.data.sub,
      partyId: claims.data.party,
      roles: claims.data.roles,
    };
    // jose required exp and checked it is a number; only then is the verification remembered.
    if (typeof payload.exp === 'number') this.verified.set(cacheKey, actor, payload.exp);
    return actor;
  }
}

export const TOKEN_VERIFIER = Symbol('TokenVerifier');
