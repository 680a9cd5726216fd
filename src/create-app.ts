import { Logger as NestLogger, UnsupportedMediaTypeException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { RateLimits } from './auth/rate-limits';
import { TOKEN_VERIFIER, type TokenVerifier } from './auth/token-verifier';
import { BATTERY_READ_MODEL, type BatteryReadModel } from './batteries/queries/battery-read-model';
import { BUNDLE_SERVICE, type BundleService } from './bundles/application/bundle.service';
import { answerTrustDocuments, PublishedTrust } from './bundles/http/published-trust';
import { answerUnchangedPulls } from './bundles/http/unchanged-pull';
import { loadAppConfig } from './config/app-config';
import { serveConsole } from './console/console-assets';
import { MinPositionGuard } from './http/min-position.guard';
import { buildOpenApiDocument } from './http/openapi/openapi-document';
import { answerClientError, sendProblem } from './http/problem-details.filter';
import { logRequests } from './http/request-log';
import { metricsEnabled } from './metrics/metrics.module';
import { measureRequests } from './metrics/request-metrics';
import { ServiceMetrics } from './metrics/service-metrics';
import { FrameworkLogLevels } from './health/framework-log';
import { RequestDrain } from './health/request-drain';
import { reportStartup } from './health/startup-report';
import { createAppLogger, PinoNestLogger } from './logging/app-logger';
import { ProjectionRunner } from './read-model/projection-runner';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateAppOptions {
  /** Where the log goes instead of stdout (tests read it to check what is and is not written). */
  logDestination?: DestinationStream;
}

/** Builds the application (used by main.ts and by the end-to-end tests). */
export async function createApp(
  env: Record<string, string | undefined> = process.env,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const config = loadAppConfig(env);
  const logger = createAppLogger(config.LOG_LEVEL, options.logDestination);
  const problemLogger = new NestLogger('Problem');
  const startupLogger = new NestLogger('Startup');
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Behind a proxy, request.ip (the address unauthenticated requests are limited on) comes from
    // X-Forwarded-For as far as TRUST_PROXY trusts it; off by default, so a client cannot pick it.
    trustProxy: config.TRUST_PROXY,
    // What Node's parser refuses before any request exists (431 for oversized headers) is problem+json too.
    clientErrorHandler: answerClientError,
    // A caller's X-Request-Id is kept when well-formed, so its logs and our events correlate.
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // The router's own refusals (a malformed percent-escape in the path: 400; a path parameter over
    // maxParamLength: 414) happen before any hook or handler; they answer as problems too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, request, error, problemLogger),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    // Nest's start-up lines at debug; a failure to start is the caller's one line (main.ts).
    logger: new FrameworkLogLevels(new PinoNestLogger(logger)),
    bodyParser: false,
    abortOnError: false,
  });
  // On SIGTERM: hooks, then process.exit (not a re-raised signal), so pino flushes the last lines.
  app.enableShutdownHooks([], { useProcessExit: true });
  // After the APP_GUARDs Nest installed while creating the app, so after BearerAuthGuard.
  app.useGlobalGuards(new MinPositionGuard(app.get(ProjectionRunner)));

  const fastify = app.getHttpAdapter().getInstance();
  // First hook of all: counts requests in flight, drained first thing at shutdown.
  app.get(RequestDrain).attach(fastify);
  // The one start-up line, once the port is open: never before a listen that fails.
  fastify.addHook('onListen', async () => {
    await reportStartup(app, config).catch((error: unknown) =>
      startupLogger.warn(`No start-up summary: ${(error as Error).message}`),
    );
  });
  logRequests(fastify, logger);
  // Only when metrics are on: off, requests pay nothing for them.
  if (metricsEnabled(config)) measureRequests(fastify, app.get(ServiceMetrics));
  // The rate limit's first step, before anything else runs (see RateLimits): every request but
  // the /health probes counts on its client address until a guard has verified who is calling, so
  // an address over its limit is refused here, before any token or proof is verified.
  const rateLimits = app.get(RateLimits);
  // Registered only when the limit is on: a hook costs every request, the lightest included.
  if (rateLimits.enabled)
    fastify.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url?.startsWith('/health')) return;
      try {
        await rateLimits.chargeAddress(request);
      } catch (error) {
        sendProblem(reply, request, error, problemLogger);
        return reply;
      }
    });
  // An action without fields (accept, cancel, theft report) may come with an empty JSON body;
  // anything else goes through Fastify's own parser, which refuses prototype poisoning.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  // JSON is the only body this API reads; anything else is refused before parsing.
  // Callback hooks, not async ones: no promise per request on the hot paths.
  fastify.addHook('onRequest', (request, reply, done) => {
    const hasBody =
      request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0';
    const type = request.headers['content-type'] ?? '';
    if (
      (hasBody || request.headers['transfer-encoding']) &&
      !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)
    ) {
      sendProblem(
        reply,
        request,
        new UnsupportedMediaTypeException('Send request bodies as application/json'),
        problemLogger,
      );
      return;
    }
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  // The public trust documents (JWKS, bundle trust): a hook of their two routes answers them
  // without Nest's router (added as Nest registers the routes, which it does after this).
  answerTrustDocuments(fastify, app.get(PublishedTrust));
  // Last of the onRequest hooks: an unchanged bundle pull whose checks all pass at once is answered
  // here, after the drain, the request log and the rate limit by address have seen it.
  answerUnchangedPulls(fastify, {
    verifier: app.get<TokenVerifier>(TOKEN_VERIFIER),
    rateLimits,
    batteries: app.get<BatteryReadModel>(BATTERY_READ_MODEL),
    bundles: app.get<BundleService>(BUNDLE_SERVICE),
  });

  // The contract of every route (src/http/openapi): served here, exported to openapi/openapi.json.
  const { document } = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  // The back-office console's files at /console/ (its settings and sign-in: ConsoleModule).
  await serveConsole(app, config);
  return app;
}
