import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemError } from '../http/problem-details';
import type { Actor } from '../shared/domain/actor';
import { BEARER_TOKEN, knownBearerActor } from './known-bearer';
import { RateLimits } from './rate-limits';
import {
  InvalidTokenError,
  TOKEN_VERIFIER,
  TokenKeysUnavailableError,
  type TokenVerifier,
} from './token-verifier';

const PUBLIC_ROUTE = 'publicRoute';
/** Health, JWKS and API docs: the only routes without a token. */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

type AuthenticatedRequest = FastifyRequest & { actor?: Actor };

/** RFC 6750 §3: every 401 names the scheme; `invalid_token` once a token was sent and refused. */
const REALM = 'Bearer realm="battery-keys"';
const KEYS_RETRY_AFTER_SECONDS = 5;

@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly logger = new Logger('Auth');

  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
    private readonly rateLimits: RateLimits,
  ) {}

  // Synchronous where it can be (a public route; a token verified lately, with no rate limit to
  // charge): a guard runs on every request, and a promise per request shows on the lightest routes.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (
      this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
        context.getHandler(),
        context.getClass(),
      ])
    )
      return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const known = this.rateLimits.enabled
      ? undefined
      : knownBearerActor(request.headers.authorization, this.verifier);
    if (known) {
      request.actor = known;
      return true;
    }
    return this.authenticate(request);
  }

  private async authenticate(request: AuthenticatedRequest): Promise<boolean> {
    const header = request.headers.authorization;
    if (header === undefined || !/^Bearer(?: |$)/i.test(header)) {
      throw new ProblemError(401, 'token-missing', 'A Bearer token is required', {
        'www-authenticate': REALM,
      });
    }
    const match = BEARER_TOKEN.exec(header);
    try {
      if (!match)
        throw new InvalidTokenError('malformed', 'The token is not a well-formed signed JWT');
      request.actor = await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        throw new ProblemError(401, `token-${error.reason}`, error.message, {
          'www-authenticate': `${REALM}, error="invalid_token"`,
        });
      }
      if (error instanceof TokenKeysUnavailableError) {
        this.logger.warn(
          `${error.message}: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`,
        );
        throw new ProblemError(503, 'token-keys-unavailable', `${error.message}; retry later`, {
          'retry-after': String(KEYS_RETRY_AFTER_SECONDS),
        });
      }
      throw error;
    }
    // Only now is the caller known: from here the request counts on the person, not the address.
    await this.rateLimits.chargeVerified(request, `person:${request.actor.personId}`);
    return true;
  }
}

/** The verified actor of the request. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new UnauthorizedException('A Bearer token is required');
  return actor;
});
