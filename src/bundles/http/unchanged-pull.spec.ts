import Fastify, { type FastifyInstance } from 'fastify';
import { TooManyRequestsError } from '../../auth/rate-limits';
import type { Actor } from '../../shared/domain/actor';
import type { BatteryFacts } from '../../batteries/queries/battery-read-model';
import { answerUnchangedPulls, BUNDLE_ROUTE, type UnchangedPullSources } from './unchanged-pull';

const alice: Actor = { personId: 'alice', partyId: 'lessor-a', roles: ['owner-admin'] };
const SN1: BatteryFacts = {
  serial: 'SN-1',
  ownerId: 'lessor-a',
  operatorId: null,
  manufacturerId: 'oem',
  specialistId: null,
  bundleVersion: 7,
  bundleVersionSince: '2026-12-01T00:00:00.000Z',
  deviceKey: { jwk: { kty: 'OKP', crv: 'Ed25519', x: 'x' }, thumbprint: 't' },
};
const CURRENT = '"7.1796000000"';

/**
 * The shortcut on a bare Fastify whose route stands in for BundleController.pull: a request the
 * shortcut does not answer reaches the route (status 299), so each test says which way it went.
 */
describe('unchanged bundle pulls answered before Nest', () => {
  let fastify: FastifyInstance;
  let sources: UnchangedPullSources & { rateLimits: { enabled: boolean } };
  let charged: string[];

  beforeEach(async () => {
    charged = [];
    sources = {
      verifier: { known: (token) => (token === 'verified.lately' ? alice : undefined) },
      rateLimits: {
        enabled: false,
        chargeVerified: (_request, caller) => {
          charged.push(caller);
          return charged.length > 2
            ? Promise.reject(new TooManyRequestsError(2, 30))
            : Promise.resolve();
        },
      },
      batteries: { facts: (serial) => (serial === 'SN-1' ? SN1 : undefined) },
      bundles: {
        head: (battery) => ({
          serial: battery.serial,
          version: battery.bundleVersion,
          issuedAt: 1796000000,
          etag: CURRENT,
        }),
      },
    };
    fastify = Fastify();
    answerUnchangedPulls(fastify, sources);
    fastify.get(BUNDLE_ROUTE, (_request, reply) => reply.status(299).send('the route'));
    fastify.get('/v1/batteries/:serial', (_request, reply) => reply.status(299).send('other'));
    await fastify.ready();
  });
  afterEach(() => fastify.close());

  const pull = (
    headers: Record<string, string>,
    url = '/v1/batteries/SN-1/bundle',
    method = 'GET',
  ) => fastify.inject({ method: method as 'GET', url, headers });
  const unchanged = { authorization: 'Bearer verified.lately', 'if-none-match': CURRENT };

  it('answers 304 with the route’s headers when every check passes at once', async () => {
    const answer = await pull(unchanged);
    expect(answer.statusCode).toBe(304);
    expect(answer.headers).toMatchObject({
      etag: CURRENT,
      'cache-control': 'no-cache',
      'x-bundle-version': '7',
    });
    expect(answer.body).toBe('');
    expect((await pull({ ...unchanged, 'if-none-match': `"1.2", W/${CURRENT}` })).statusCode).toBe(
      304,
    );
  });

  it.each([
    ['no If-None-Match', { authorization: unchanged.authorization }],
    ['an ETag of an older bundle', { ...unchanged, 'if-none-match': '"6.1795000000"' }],
    ['no token', { 'if-none-match': CURRENT }],
    ['a token not verified lately', { ...unchanged, authorization: 'Bearer never.seen' }],
    ['another scheme', { ...unchanged, authorization: 'Basic dmVyaWZpZWQubGF0ZWx5' }],
    ['X-Min-Position to wait for', { ...unchanged, 'x-min-position': '12' }],
  ])('leaves a pull with %s to the route', async (_case, headers) => {
    expect((await pull(headers)).statusCode).toBe(299);
  });

  it('leaves an unknown, malformed or unreadable serial to the route (its 404 or 400)', async () => {
    expect((await pull(unchanged, '/v1/batteries/SN-404/bundle')).statusCode).toBe(299);
    expect((await pull(unchanged, '/v1/batteries/%20bad%20/bundle')).statusCode).toBe(299);
    sources.batteries.facts = () => ({ ...SN1, ownerId: 'lessor-b' });
    expect((await pull(unchanged)).statusCode).toBe(299);
  });

  it('charges the person as the guard would, and answers their 429 past the limit', async () => {
    sources.rateLimits.enabled = true;
    expect((await pull(unchanged)).statusCode).toBe(304);
    expect((await pull(unchanged)).statusCode).toBe(304);
    const refused = await pull(unchanged);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers).toMatchObject({
      'content-type': expect.stringContaining('application/problem+json'),
      'retry-after': '30',
    });
    expect(refused.json()).toMatchObject({ status: 429, code: 'too-many-requests' });
    expect(charged).toEqual(['person:alice', 'person:alice', 'person:alice']);
  });

  it('charges nothing for a pull it leaves to the route (the guard charges that one)', async () => {
    sources.rateLimits.enabled = true;
    await pull({ ...unchanged, 'if-none-match': '"6.1795000000"' });
    await pull({ ...unchanged, authorization: 'Bearer never.seen' });
    expect(charged).toEqual([]);
  });

  it('answers nothing but GET on the bundle route', async () => {
    expect((await pull(unchanged, '/v1/batteries/SN-1')).statusCode).toBe(299);
    expect((await pull(unchanged, '/v1/batteries/SN-1/bundle', 'HEAD')).statusCode).not.toBe(304);
  });
});
