import type { FastifyInstance, onRequestHookHandler } from 'fastify';
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
    private readonly trust: Pick<BundleTrust, 'publicJwks' | 'file' | 'root' | 'delegationVersion'>,
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
 * on the bench machine, a third of the JWKS route's cost). The hook is the two routes' own, added
 * as Nest registers them (call this before the app's routes are registered, as createApp does), so
 * no other request, the bundle pull least of all, pays for it. The routes stay in JwksController,
 * which documents them in OpenAPI and gives the same answers where the hook is not installed.
 * The app's global onRequest hooks (drain, request log, metrics, rate limit by address, media
 * type, unchanged pulls) run before it, as for any request.
 */
export function answerTrustDocuments(fastify: FastifyInstance, published: PublishedTrust): void {
  const answers: Record<string, () => string> = {
    [JWKS_ROUTE]: () => published.jwks(),
    [BUNDLE_TRUST_ROUTE]: () => published.bundleTrust(),
  };
  fastify.addHook('onRoute', (route) => {
    const answer = Object.hasOwn(answers, route.url) ? answers[route.url] : undefined;
    if (!answer) return;
    const hook: onRequestHookHandler = (_request, reply) => {
      void reply.headers(TRUST_DOCUMENT_HEADERS).send(answer());
    };
    route.onRequest = [...[route.onRequest ?? []].flat(), hook];
  });
}
