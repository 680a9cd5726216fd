import type { FastifyInstance } from 'fastify';
import type { Level, Logger } from 'pino';

/**
 * One log line per answered request, written from Fastify's onResponse hook with the app's own
 * logger (no per-request child logger, no middleware): at `debug` for every answer up to 4xx, so
 * a service logging at `info` or above spends nothing on it; a 503 (store, identity provider or
 * read model not there yet: the caller retries) at `warn`, any other 5xx at `error`. The headers
 * go through the logger's redaction (REDACTED_PATHS): no credential reaches the log.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  const log = logger.child({ context: 'HTTP' });
  fastify.addHook('onResponse', (request, reply, done) => {
    const statusCode = reply.statusCode;
    const level: Level = statusCode < 500 ? 'debug' : statusCode === 503 ? 'warn' : 'error';
    if (log.isLevelEnabled(level)) {
      log[level](
        {
          req: {
            id: request.id,
            method: request.method,
            url: request.url,
            headers: request.headers,
            remoteAddress: request.ip,
          },
          res: { statusCode },
          responseTime: Math.round(reply.elapsedTime),
        },
        statusCode < 500 ? 'request completed' : 'request errored',
      );
    }
    done();
  });
}
