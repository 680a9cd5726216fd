import type { FastifyInstance } from 'fastify';
import type { BundleCaller, ServiceMetrics } from './service-metrics';

/** Requests no route matched (unknown paths, the router's own refusals): one label, not one per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The two routes that serve bundles, by route template, and who calls each. */
const BUNDLE_ROUTES = new Map<string, BundleCaller>([
  ['/v1/batteries/:serial/bundle', 'person'],
  ['/v1/devices/:serial/bundle', 'device'],
]);

/**
 * Every answered request into the latency histogram, from Fastify's onResponse hook (like the
 * request log, src/http/request-log.ts): labelled by the route template Fastify matched, so
 * `/v1/batteries/SN-1` and `/v1/batteries/SN-2` are one series and a scan of random paths is one
 * `unmatched` series. A callback hook: no promise per request. Bundle pulls are also counted by
 * outcome (200 body, 304 unchanged), which is what a fleet's sync load is made of.
 */
export function measureRequests(fastify: FastifyInstance, metrics: ServiceMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const statusCode = reply.statusCode;
    metrics.requestAnswered(request.method, route, statusCode, reply.elapsedTime / 1000);
    if (statusCode === 200 || statusCode === 304) {
      const caller = BUNDLE_ROUTES.get(route);
      if (caller !== undefined && request.method === 'GET')
        metrics.bundleServed(caller, statusCode);
    }
    done();
  });
}
