import { Body, Controller, Get, Header, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PublicRoute } from '../auth/bearer-auth.guard';
import { loadOrCreateLocalIssuerKey, mintToken } from '../auth/local-token-issuer';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProblemError } from '../http/problem-details';
import { ZodValidation } from '../http/zod-validation';
import { ApiContract } from '../http/openapi/api-contract.decorator';
import { consoleSettingsSchema, consoleTokenSchema } from './console-responses';
import { redeemSignInCode, SIGN_IN_CODE, sweepExpiredSignInCodes } from './sign-in-codes';

const signInRequest = z.strictObject({
  code: z.string().regex(SIGN_IN_CODE, 'must be the code of a sign-in link'),
});

/** What the console needs to know before anyone signs in: where to sign in, and how. */
export interface ConsoleSettings {
  /** OpenID Connect: the issuer to discover, the console's client id, scope and resource. */
  oidc: { issuer: string; clientId: string; scope: string; resource: string | null } | null;
  /** One-time links from the embedded local issuer (development): offered only without a real IdP. */
  localSignIn: boolean;
}

/**
 * The console's two server-side pieces besides its static files (src/console/console-assets.ts):
 * its settings and, with the embedded local issuer only, the one-time sign-in exchange.
 */
@ApiTags('console')
@Controller('console')
export class ConsoleController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('config.json')
  @PublicRoute()
  @Header('cache-control', 'no-cache')
  @ApiContract({
    operationId: 'getConsoleSettings',
    summary: "The console's sign-in settings (public: names no secret)",
    security: 'public',
    responses: [{ status: 200, description: 'OK', body: consoleSettingsSchema }],
    problems: [429],
  })
  settings(): ConsoleSettings {
    const { OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_SCOPE, OIDC_RESOURCE } = this.config;
    return {
      oidc: OIDC_ISSUER_URL
        ? {
            issuer: OIDC_ISSUER_URL,
            clientId: OIDC_CLIENT_ID,
            scope: OIDC_SCOPE,
            resource: OIDC_RESOURCE ?? null,
          }
        : null,
      localSignIn: this.localIssuer,
    };
  }

  @Post('sign-in')
  @PublicRoute()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiContract({
    operationId: 'redeemConsoleSignIn',
    summary:
      'Redeem a one-time sign-in code from `npm run token -- \u2026 --console` for a token (embedded local issuer only)',
    security: 'public',
    requestName: 'ConsoleSignInRequest',
    responses: [{ status: 200, description: 'A token for the console', body: consoleTokenSchema }],
    problems: [400, 404, 413, 415, 429],
  })
  async signIn(@Body(new ZodValidation(signInRequest)) body: z.infer<typeof signInRequest>) {
    if (!this.localIssuer)
      throw new ProblemError(
        404,
        'local-sign-in-disabled',
        'Sign-in links come from the local issuer, which is off: AUTH_JWKS_URL names the identity provider',
      );
    const dataDir = this.config.DATA_DIR;
    const now = new Date();
    sweepExpiredSignInCodes(dataDir, now);
    const request = redeemSignInCode(dataDir, body.code, now);
    // Unknown, already used and expired codes get one answer: which it was helps only a guesser.
    if (!request)
      throw new ProblemError(
        400,
        'sign-in-code-refused',
        'This sign-in link is unknown, used or expired; make a new one with npm run token -- … --console',
      );
    const key = await loadOrCreateLocalIssuerKey(dataDir);
    const accessToken = await mintToken(key, this.config.AUTH_ISSUER, this.config.AUTH_AUDIENCE, {
      personId: request.personId,
      partyId: request.partyId,
      roles: request.roles,
      ttlSeconds: request.tokenTtlSeconds,
    });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: request.tokenTtlSeconds,
      personId: request.personId,
      partyId: request.partyId,
      roles: request.roles,
    };
  }

  private get localIssuer(): boolean {
    return !this.config.AUTH_JWKS_URL;
  }
}
