import type { FastifyInstance } from 'fastify';
import type { BundleTrust } from '../../signing/trust/bundle-trust';

/** The two public trust documents' routes, as Fastify names them (JwksController's routes). */
export const JWKS_ROUTE = '/.well-known/jwks.json';
export const BUNDLE_TRUST_ROUTE = '/.well-known/bundle-trust.json';

/** What both documents are sent with: public, and cacheable for five minutes. */
export const TRUST_DOCUMENT_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'public, max-age=300',
} as const;

const epochSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The JWKS and the chain of trust as sent. The JWKS is made once per second: its keys change only
 * with time (their nbf and exp), and it is the most requested public document.
 */
export class PublishedTrust {
  private served: { second: number; body: string } | undefined;

  constructor(
    private readonly trust: Pick<
      BundleTrust,
      'publicJwks' | 'file' | 'root' | 'rootChain' | 'delegation' | 'delegationVersion'
    >,
    private readonly now: () => number = epochSeconds,
  ) {}

  jwks(): string {
    const second = this.now();
    if (this.served?.second !== second)
      this.served = { second, body: JSON.stringify({ keys: this.trust.publicJwks(second) }) };
    return this.served.body;
  }

  bundleTrust(): string {
    const { firstRoot, rootChain, delegation } = this.trust.file;
    return JSON.stringify({
      firstRoot,
      currentRoot: this.trust.root,
      rootChain,
      delegation,
      delegationVersion: this.trust.delegationVersion,
    });
  }
}

/**
 * Both documents answered from a Fastify hook instead of Nest's router, which costs more than the
 * answer itself (guards, parameter handling and response handling: about 25 µs of CPU a request
 * on the bench machine, a third of the JWKS route's cost). The routes stay in JwksController,
 * which documents them in OpenAPI and gives the same answers where the hook is not installed.
 * The hooks registered before this one (drain, request log, metrics, rate limit by address,
 * request id, media type) run for these requests as for any other.
 */
export function answerTrustDocuments(fastify: FastifyInstance, published: PublishedTrust): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route === JWKS_ROUTE)
      return void reply.headers(TRUST_DOCUMENT_HEADERS).send(published.jwks());
    if (route === BUNDLE_TRUST_ROUTE)
      return void reply.headers(TRUST_DOCUMENT_HEADERS).send(published.bundleTrust());
    done();
  });
}
