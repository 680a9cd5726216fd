import { base64url, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { createHmac } from 'node:crypto';
import {
  localIssuerKey,
  mintToken,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from '../../bench/support/tokens';
import {
  holderKey,
  keyBody,
  printSummary,
  readStore,
  ReliabilityService,
  scaled,
} from './support/harness';

/**
 * Tokens that must not get in: alg none, HMAC with a guessed or public-key secret, wrong issuer or
 * audience, expired or not yet valid, signed by an unknown key, tampered, a bundle passed off as a
 * token, missing claims; and a valid token of another party acting on a battery it has nothing to
 * do with. Each is tried on reads and on changes; all refused, nothing recorded.
 */

const ROUNDS = scaled(3, 30);

const encode = (value: object) => base64url.encode(JSON.stringify(value));

describe('tokens: forged, foreign and stale tokens are refused', () => {
  jest.setTimeout(scaled(60_000, 600_000));

  it('refuses every bad token on every kind of route and records nothing', async () => {
    const service = await ReliabilityService.start();
    try {
      await service.seed(['TOK-1']);
      const issuer = localIssuerKey(service.dataDir);
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        sub: 'alice',
        party: 'lessor-a',
        roles: ['owner-admin'],
        iss: TOKEN_ISSUER,
        aud: TOKEN_AUDIENCE,
        iat: now,
        exp: now + 600,
      };
      const strangerKey = await generateKeyPair('ES256', { extractable: true });
      const strangerJwk = { ...(await exportJWK(strangerKey.privateKey)), kid: issuer.kid } as JWK;
      const valid = await mintToken(issuer, {
        personId: 'alice',
        partyId: 'lessor-a',
        roles: ['owner-admin'],
      });
      const [header, payload, signature] = valid.split('.');
      const publicJwk: JWK = { kty: issuer.kty, crv: issuer.crv, x: issuer.x, y: issuer.y };
      const sign = (key: JWK, alg: string, body: object, protectedHeader: object = {}) =>
        importJWK(key, alg).then((k) =>
          new SignJWT(body as never)
            .setProtectedHeader({ alg, kid: issuer.kid, typ: 'JWT', ...protectedHeader })
            .sign(k),
        );
      const hmac = (secret: string | Buffer, body: object) => {
        const input = `${encode({ alg: 'HS256', typ: 'JWT', kid: issuer.kid })}.${encode(body)}`;
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      };
      const bundle = await service.request('GET', '/v1/batteries/TOK-1/bundle', { as: 'ownerA' });

      const forged: [string, string][] = [
        ['alg none', `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`],
        ['alg none, uppercase', `${encode({ alg: 'NONE', typ: 'JWT' })}.${encode(claims)}.`],
        ['HS256 keyed with the public key', hmac(JSON.stringify(publicJwk), claims)],
        ['HS256 keyed with a guessed secret', hmac('secret', claims)],
        ['wrong issuer', await sign(issuer, 'ES256', { ...claims, iss: 'urn:evil' })],
        ['wrong audience', await sign(issuer, 'ES256', { ...claims, aud: 'another-service' })],
        ['no audience', await sign(issuer, 'ES256', { ...claims, aud: undefined })],
        ['expired', await sign(issuer, 'ES256', { ...claims, iat: now - 7200, exp: now - 3600 })],
        ['not yet valid', await sign(issuer, 'ES256', { ...claims, nbf: now + 3600 })],
        ['no expiry', await sign(issuer, 'ES256', { ...claims, exp: undefined })],
        ['unknown key, same kid', await sign(strangerJwk, 'ES256', claims)],
        ['unknown key, unknown kid', await sign(strangerJwk, 'ES256', claims, { kid: 'nobody' })],
        [
          'payload tampered (party swapped)',
          `${header}.${encode({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), party: 'lessor-b' })}.${signature}`,
        ],
        ['signature stripped', `${header}.${payload}.`],
        [
          'signature of another token',
          `${header}.${payload}.${(await mintToken(issuer, { personId: 'bob', partyId: 'lessor-b', roles: ['owner-admin'] })).split('.')[2]}`,
        ],
        ['a key bundle passed off as a token', String(bundle.body)],
        ['no party claim', await sign(issuer, 'ES256', { ...claims, party: undefined })],
        ['roles not a list', await sign(issuer, 'ES256', { ...claims, roles: 'owner-admin' })],
        ['empty', ''],
        ['garbage', 'not.a.jwt'],
      ];
      expect(bundle.status).toBe(200);

      // Routes of every kind: a read, a signed bundle, a change, an audit query.
      const routes: { method: string; path: string; body?: () => unknown }[] = [
        { method: 'GET', path: '/v1/batteries/TOK-1' },
        { method: 'GET', path: '/v1/batteries/TOK-1/bundle' },
        { method: 'GET', path: '/v1/audit' },
        { method: 'POST', path: '/v1/batteries/TOK-1/theft-report', body: () => ({}) },
        {
          method: 'POST',
          path: '/v1/batteries/TOK-1/keys',
          body: () => keyBody('eve', holderKey(7)),
        },
      ];

      const before = readStore(service.dataDir).length;
      let attempts = 0;
      const accepted: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, token] of forged) {
          for (const route of routes) {
            const answer = await service.request(route.method, route.path, {
              headers: { authorization: `Bearer ${token}` },
              body: route.body?.(),
            });
            attempts++;
            if (answer.status !== 401)
              accepted.push(`${name} → ${route.method} ${route.path}: ${answer.status}`);
          }
        }
      }

      // A genuine token of another party: authenticated, but answered on a battery it has no relation
      // to exactly as on a serial nobody provisioned (404), so it learns nothing.
      const foreign = [
        await mintToken(issuer, {
          personId: 'mallory',
          partyId: 'workshop',
          roles: ['owner-admin'],
        }),
        await mintToken(issuer, {
          personId: 'bob',
          partyId: 'lessor-b',
          roles: ['owner-admin', 'provisioner', 'fleet-manager'],
        }),
      ];
      let foreignAttempts = 0;
      for (const token of foreign) {
        for (const route of routes.filter((r) => r.path !== '/v1/audit')) {
          const answer = await service.request(route.method, route.path, {
            headers: { authorization: `Bearer ${token}` },
            body: route.body?.(),
          });
          foreignAttempts++;
          if (answer.status !== 404)
            accepted.push(
              `another party's token → ${route.method} ${route.path}: ${answer.status}`,
            );
        }
      }
      const after = readStore(service.dataDir).length;

      printSummary('tokens', {
        kinds: forged.length + 1,
        attempts: attempts + foreignAttempts,
        refused: attempts + foreignAttempts - accepted.length,
        failures: accepted.length,
        storeChange: after - before,
      });
      expect(accepted).toEqual([]);
      expect(after).toBe(before);
    } finally {
      await service.stop();
    }
  });
});
