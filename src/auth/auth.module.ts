import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { BearerAuthGuard } from './bearer-auth.guard';
import { loadOrCreateLocalIssuerKey, publicPart } from './local-token-issuer';
import { RateLimits } from './rate-limits';
import { TOKEN_VERIFIER, TokenVerifier } from './token-verifier';

/** Who is calling: people by their Bearer token, and the per-caller rate limits (global, so the device guard charges batteries too). */
@Global()
@Module({
  providers: [
    {
      provide: TOKEN_VERIFIER,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const options = {
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
          algorithms: config.AUTH_ALGORITHMS,
        };
        if (config.AUTH_JWKS_URL)
          return TokenVerifier.withRemoteJwks(config.AUTH_JWKS_URL, options);
        const key = await loadOrCreateLocalIssuerKey(config.DATA_DIR);
        return TokenVerifier.withLocalKeys({ keys: [publicPart(key)] }, options);
      },
    },
    RateLimits,
    { provide: APP_GUARD, useClass: BearerAuthGuard },
  ],
  exports: [RateLimits],
})
export class AuthModule {}
