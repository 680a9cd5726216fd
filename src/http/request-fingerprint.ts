import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Identifies "the same request" for Idempotency-Key reuse checks: method, path and body. */
export function requestFingerprint(
  request: Pick<FastifyRequest, 'method' | 'url' | 'body'>,
): string {
  return createHash('sha256')
    .update(request.method)
    .update('\n')
    .update(request.url.split('?')[0])
    .update('\n')
    .update(JSON.stringify(request.body ?? null))
    .digest('base64url');
}
