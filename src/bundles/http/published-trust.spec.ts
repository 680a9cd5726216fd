import Fastify, { type FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import {
  answerTrustDocuments,
  BUNDLE_TRUST_ROUTE,
  JWKS_ROUTE,
  PublishedTrust,
  TRUST_DOCUMENT_HEADERS,
} from './published-trust';

/** Two delegated keys: the first valid until second 100, the second from second 100 on. */
let jwksMade = 0;
const trust = {
  publicJwks(now: number): JWK[] {
    jwksMade++;
    return [{ kid: now < 100 ? 'old' : 'new', kty: 'EC' }];
  },
  file: { firstRoot: 'root-1', rootChain: ['r1'], delegation: 'd.e.l', version: 1 },
  root: { version: 1, jwk: { kty: 'EC' } },
  rootChain: ['r1'],
  delegation: 'd.e.l',
  delegationVersion: 3,
} as unknown as ConstructorParameters<typeof PublishedTrust>[0];

describe('the public trust documents', () => {
  let now: number;
  let published: PublishedTrust;
  let fastify: FastifyInstance;

  beforeEach(async () => {
    now = 98;
    jwksMade = 0;
    published = new PublishedTrust(trust, () => now);
    fastify = Fastify();
    answerTrustDocuments(fastify, published);
    // Stand-ins for JwksController's routes and a neighbour: reached only when the hook passes.
    for (const route of [JWKS_ROUTE, BUNDLE_TRUST_ROUTE, '/.well-known/other'])
      fastify.get(route, (_request, reply) => reply.status(299).send('the route'));
    await fastify.ready();
  });
  afterEach(() => fastify.close());

  it('answers the JWKS before the route, with the keys valid at this second', async () => {
    const answer = await fastify.inject({ method: 'GET', url: JWKS_ROUTE });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject(TRUST_DOCUMENT_HEADERS);
    expect(answer.json()).toEqual({ keys: [{ kid: 'old', kty: 'EC' }] });

    now = 100;
    expect((await fastify.inject({ method: 'GET', url: JWKS_ROUTE })).json()).toEqual({
      keys: [{ kid: 'new', kty: 'EC' }],
    });
  });

  it('makes the JWKS once per second however often it is asked for', async () => {
    for (let i = 0; i < 5; i++) await fastify.inject({ method: 'GET', url: JWKS_ROUTE });
    expect(jwksMade).toBe(1);
    now = 99;
    await fastify.inject({ method: 'GET', url: `${JWKS_ROUTE}?fresh=1` });
    expect(jwksMade).toBe(2);
  });

  it('answers the chain of trust with the current root and delegation', async () => {
    const answer = await fastify.inject({ method: 'GET', url: BUNDLE_TRUST_ROUTE });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject(TRUST_DOCUMENT_HEADERS);
    expect(answer.json()).toEqual({
      firstRoot: 'root-1',
      currentRoot: { version: 1, jwk: { kty: 'EC' } },
      rootChain: ['r1'],
      delegation: 'd.e.l',
      delegationVersion: 3,
    });
  });

  it('answers a HEAD without a body, and leaves every other route to its handler', async () => {
    const head = await fastify.inject({ method: 'HEAD', url: JWKS_ROUTE });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    const other = await fastify.inject({ method: 'GET', url: '/.well-known/other' });
    expect(other.statusCode).toBe(299);
    const posted = await fastify.inject({ method: 'POST', url: JWKS_ROUTE });
    expect(posted.statusCode).toBe(404);
  });
});
