import { InMemoryWebStorage, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { publicApi, unwrap } from '../api/client';
import type { ConsoleSettings } from '../api/types';

export type { ConsoleSettings };

/** The signed-in person, as the access token names them (the service reads the same claims). */
export interface Session {
  accessToken: string;
  personId: string;
  partyId: string;
  roles: string[];
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** What /console/config.json says (src/console/console.controller.ts). */
export async function loadSettings(): Promise<ConsoleSettings> {
  const { data, response } = await publicApi.GET('/console/config.json');
  if (!data) throw new Error(`The console's settings did not load (HTTP ${response.status})`);
  return data;
}

/** The console's address, where the identity provider sends the browser back with the code. */
const redirectUri = () => `${window.location.origin}/console/`;

/**
 * OpenID Connect, Authorization Code with PKCE, by oidc-client-ts. Tokens live in memory only
 * (InMemoryWebStorage): never in localStorage or sessionStorage, where any script on the origin
 * could read them later; a reload signs in again (silently, when the provider's session lasts).
 * Only the PKCE verifier and state of a sign-in in flight go to sessionStorage, because they must
 * survive the round trip to the provider; oidc-client-ts removes them when the browser returns.
 */
export function userManagerFor(oidc: NonNullable<ConsoleSettings['oidc']>): UserManager {
  const resource = oidc.resource ? { resource: oidc.resource } : undefined;
  return new UserManager({
    authority: oidc.issuer,
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    post_logout_redirect_uri: redirectUri(),
    response_type: 'code',
    scope: oidc.scope,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    // Renewal would need an iframe to the provider, which the Content-Security-Policy does not
    // allow; an expired session signs in again.
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
    ...(resource ? { extraQueryParams: resource, extraTokenParams: resource } : {}),
  });
}

/** True when the address is the provider's redirect back to us (`?code=…&state=…` or an error). */
export function isSignInCallback(): boolean {
  const params = new URLSearchParams(window.location.search);
  return params.has('state') && (params.has('code') || params.has('error'));
}

/** Completes the PKCE sign-in the provider redirected back from, and cleans the address. */
export async function completeOidcSignIn(manager: UserManager): Promise<Session> {
  try {
    const user = await manager.signinRedirectCallback();
    const returnTo =
      typeof user.state === 'string' && user.state.startsWith('#/') ? user.state : '';
    window.history.replaceState(null, '', `/console/${returnTo || '#/waiting'}`);
    return sessionFromToken(user.access_token);
  } catch (error) {
    window.history.replaceState(null, '', '/console/');
    throw error;
  }
}

/**
 * A one-time sign-in link of the embedded local issuer (`npm run token -- … --console`): the code
 * is taken out of the address at once (before any request), then redeemed once for a token.
 */
export function takeSignInCode(): string | undefined {
  const match = /^#signin=([A-Za-z0-9_-]{43})$/.exec(window.location.hash);
  if (!match) return undefined;
  window.history.replaceState(null, '', '/console/#/waiting');
  return match[1];
}

export async function redeemSignInCode(code: string): Promise<Session> {
  // A refusal throws the service's sentence (400 sign-in-code-refused: used, expired or unknown).
  const token = await unwrap(publicApi.POST('/console/sign-in', { body: { code } }));
  return sessionFromToken(token.accessToken);
}

/**
 * Who the token names, read for display and for the screens' questions. The console does not
 * verify it (the service does, on every call); a token that is not a JWT with these claims cannot
 * be used with this service, and says so.
 */
export function sessionFromToken(accessToken: string): Session {
  const payload = accessToken.split('.')[1];
  if (!payload) throw new Error('The identity provider issued no JWT access token for this API');
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(
    new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))),
  ) as { sub?: unknown; party?: unknown; roles?: unknown; exp?: unknown };
  if (typeof claims.sub !== 'string' || typeof claims.party !== 'string')
    throw new Error('The access token names no person (sub) or party: ask for the API audience');
  return {
    accessToken,
    personId: claims.sub,
    partyId: claims.party,
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r) => typeof r === 'string') : [],
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + 3600_000,
  };
}
