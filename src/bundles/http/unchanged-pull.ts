import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { knownBearerActor } from '../../auth/known-bearer';
import type { RateLimits } from '../../auth/rate-limits';
import type { TokenVerifier } from '../../auth/token-verifier';
import { mayRead } from '../../batteries/domain/access-policy';
import type { BatteryReadModel } from '../../batteries/queries/battery-read-model';
import { serialParams } from '../../http/common-schemas';
import { MIN_POSITION_HEADER } from '../../http/min-position.guard';
import { sendProblem } from '../../http/problem-details.filter';
import type { Actor } from '../../shared/domain/actor';
import type { BundleHead, BundleService } from '../application/bundle.service';
import { bundleHeaders } from './bundle-headers';
import { ifNoneMatchNames } from './if-none-match';

/** The Nest route of a person's bundle pull (BundleController.pull), as Fastify names it. */
export const BUNDLE_ROUTE = '/v1/batteries/:serial/bundle';

export interface UnchangedPullSources {
  verifier: Pick<TokenVerifier, 'known'>;
  rateLimits: Pick<RateLimits, 'enabled' | 'chargeVerified'>;
  batteries: Pick<BatteryReadModel, 'facts'>;
  bundles: Pick<BundleService, 'head'>;
}

/**
 * The fleet's most frequent request, a pull whose If-None-Match still names the current bundle,
 * answered from a Fastify hook instead of Nest's router: Nest's guards, parameter pipes and
 * response handling cost about as much again as the answer itself.
 *
 * It answers only when every check the route makes is known to pass without waiting: a token
 * verified lately (knownBearerActor, BearerAuthGuard's own first step), no X-Min-Position to wait
 * for, a well-formed serial the caller may read, and an ETag that names the current bundle. Then
 * the request is charged to its person, as the guard would (a 429 when over the limit), and the
 * answer is the route's own 304 (bundleHeaders). Anything else, a first sight of a token or any
 * error included, goes on to the route uncharged, which answers it as it always has. The app's
 * global hooks (drain, request log, metrics, rate limit by address, request id) run before it,
 * as for any request. Call this before the routes are registered, as createApp does.
 */
export function answerUnchangedPulls(
  fastify: FastifyInstance,
  sources: UnchangedPullSources,
): void {
  const problemLogger = new Logger('Problem');
  const hook: onRequestHookHandler = (request, reply, done) => {
    const unchanged = unchangedPull(request, sources);
    if (unchanged === undefined) return done();
    const answer = () => void reply.status(304).headers(bundleHeaders(unchanged.head)).send();
    if (!sources.rateLimits.enabled) return answer();
    sources.rateLimits
      .chargeVerified(request, `person:${unchanged.actor.personId}`)
      .then(answer, (error: unknown) => sendProblem(reply, request, error, problemLogger));
  };
  // The bundle route's own hook (added as the route is registered, as the trust documents' are):
  // no other request, the JWKS least of all, runs it or reads its route options to skip it.
  fastify.addHook('onRoute', (route) => {
    if (route.url === BUNDLE_ROUTE) route.onRequest = [...[route.onRequest ?? []].flat(), hook];
  });
}

function unchangedPull(
  request: FastifyRequest,
  { verifier, batteries, bundles }: UnchangedPullSources,
): { actor: Actor; head: BundleHead } | undefined {
  const ifNoneMatch = request.headers['if-none-match'];
  if (
    request.method !== 'GET' ||
    ifNoneMatch === undefined ||
    request.headers[MIN_POSITION_HEADER] !== undefined
  )
    return undefined;
  const actor = knownBearerActor(request.headers.authorization, verifier);
  if (actor === undefined) return undefined;
  const params = serialParams.safeParse(request.params);
  if (!params.success) return undefined;
  const facts = batteries.facts(params.data.serial);
  if (facts === undefined || !mayRead(actor, facts)) return undefined;
  const head = bundles.head(facts);
  return ifNoneMatchNames(ifNoneMatch, head.etag) ? { actor, head } : undefined;
}
