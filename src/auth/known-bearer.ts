import type { Actor } from '../shared/domain/actor';
import type { TokenVerifier } from './token-verifier';

/** `Authorization: Bearer <token>` with a token of base64url/JWS characters. */
export const BEARER_TOKEN = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i;

/**
 * The caller of a request whose Bearer token this instance verified lately: the token is in the
 * verified-token cache, not expired and its key still in the issuer's JWKS. Undefined when the
 * token must be verified (BearerAuthGuard's whole check). The guard and the unchanged-pull
 * shortcut (src/bundles/http/unchanged-pull.ts) both ask here, so they cannot disagree on who
 * is calling; each still charges the rate limit itself.
 */
export function knownBearerActor(
  authorization: string | undefined,
  verifier: Pick<TokenVerifier, 'known'>,
): Actor | undefined {
  const token = authorization === undefined ? undefined : BEARER_TOKEN.exec(authorization)?.[1];
  return token === undefined ? undefined : verifier.known(token);
}
