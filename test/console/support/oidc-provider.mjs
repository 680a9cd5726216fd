/* global URL */
// A real OpenID Connect provider (oidc-provider v9, an ES module) for the console's browser tests,
// in a child process of the spec: jest's module system loads no ES modules, Node does.
//
// Protocol with the parent (IPC):
//   child → { issuer }                      listening on 127.0.0.1, before it knows the console
//   parent → { configure: { redirectUri } } the service's /console/ address, known once it listens
//   child → { ready: true }
//   parent → { mint: { id, sub } }          a token for test set-up through the API (same key,
//   child → { minted: { id, token } }        same claims as the provider's own access tokens)
//
// Accounts (OIDC_ACCOUNTS, JSON: { "<sub>": { "party": "…", "roles": ["…"] } }) sign in at the
// provider's own development login form (devInteractions) with their sub as the login. Access
// tokens are JWTs for OIDC_AUDIENCE (RFC 8707 resource indicator) with party and roles claims.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS ?? '{}');
const audience = process.env.OIDC_AUDIENCE;
const clientId = process.env.OIDC_CLIENT_ID ?? 'battery-keys-console';
if (!audience) throw new Error('OIDC_AUDIENCE is required');

let handle = (_request, response) => {
  response.statusCode = 503;
  response.end('not configured yet');
};
const server = createServer((request, response) => handle(request, response));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const signingJwk = {
  ...(await exportJWK(privateKey)),
  alg: 'ES256',
  use: 'sig',
  kid: 'console-test',
};

const claimsOf = (sub) => {
  const account = accounts[sub];
  return account ? { party: account.party, roles: account.roles } : undefined;
};

async function configure({ redirectUri }) {
  const { default: Provider, errors } = await import('oidc-provider');
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        // A public client: a browser keeps no secret; PKCE binds the code to the browser.
        token_endpoint_auth_method: 'none',
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [signingJwk] },
    pkce: { required: () => true },
    scopes: ['openid', 'api'],
    cookies: { keys: ['console-test-cookie-key'] },
    findAccount: (_ctx, sub) =>
      accounts[sub] ? { accountId: sub, claims: async () => ({ sub }) } : undefined,
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget();
          return {
            scope: 'api',
            audience,
            accessTokenTTL: 900,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    // What the service reads from a token besides sub: the party the person acts for, their roles.
    extraTokenClaims: (_ctx, token) => claimsOf(token.accountId),
    clientBasedCORS: (_ctx, origin, client) =>
      client.redirectUris.some((uri) => new URL(uri).origin === origin),
  });
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider:', error));
  handle = provider.callback();
}

async function mint({ id, sub }) {
  const token = await new SignJWT({ ...claimsOf(sub), scope: 'api', client_id: clientId })
    .setProtectedHeader({ alg: 'ES256', kid: signingJwk.kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(privateKey);
  process.send({ minted: { id, token } });
}

process.on('message', (message) => {
  if (message.configure)
    configure(message.configure).then(
      () => process.send({ ready: true }),
      (error) => process.send({ failed: String(error?.stack ?? error) }),
    );
  if (message.mint) void mint(message.mint);
});
// The parent's end is ours: a test run that stops never leaves a provider behind.
process.on('disconnect', () => process.exit(0));
process.send({ issuer });
