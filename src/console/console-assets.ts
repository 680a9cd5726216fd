import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { ProblemError } from '../http/problem-details';
import { sendProblem } from '../http/problem-details.filter';

/**
 * The console's built files (`vite build --config console/vite.config.ts` writes console/dist).
 * Found from the project root, the nearest folder above this file holding package.json, so the
 * same code finds them run from src/ (ts-node, jest) and from dist/src/ (the build): the bundle
 * stays out of dist/, which `nest build` and `nest start` empty.
 */
export function consoleBundleDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'console', 'dist');
}

/**
 * Content-Security-Policy of every console file: scripts, styles, images and fonts from this
 * origin only, no inline script or style, no framing, no plugins. The only other origin the page
 * may talk to is the identity provider's (discovery and the token endpoint of the PKCE flow),
 * and only when one is configured.
 */
export function consoleContentSecurityPolicy(config: Pick<AppConfig, 'OIDC_ISSUER_URL'>): string {
  const identityProvider = config.OIDC_ISSUER_URL
    ? ` ${new URL(config.OIDC_ISSUER_URL).origin}`
    : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${identityProvider}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the console at /console/ (same origin as the API, so no CORS). Hashed files under
 * assets/ never change: cached for a year, immutable. index.html names the current hashes: always
 * revalidated (no-cache), so a deployment is picked up on the next load.
 */
export async function serveConsole(
  app: NestFastifyApplication,
  config: AppConfig,
  bundleDir = consoleBundleDir(),
): Promise<{ built: boolean }> {
  const csp = consoleContentSecurityPolicy(config);
  const secure = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin');
  if (!existsSync(join(bundleDir, 'index.html'))) {
    // Without a bundle the console's pages answer why instead of a bare 404.
    const notBuilt = new ProblemError(
      503,
      'console-not-built',
      'The console is not built: run npm run build (npm start builds it when it is missing)',
    );
    const fastify = app.getHttpAdapter().getInstance();
    const logger = new Logger('Console');
    logger.warn('No console bundle in ' + bundleDir + ': /console answers 503 until npm run build');
    for (const url of ['/console', '/console/*'])
      fastify.get(url, (request, reply) => sendProblem(reply, request, notBuilt, logger));
    return { built: false };
  }
  // The address people type: /console goes to /console/, where relative asset paths resolve.
  app
    .getHttpAdapter()
    .getInstance()
    .get('/console', (_request, reply) => reply.redirect('/console/', 301));
  await app.register(fastifyStatic, {
    root: bundleDir,
    prefix: '/console/',
    // @nestjs/swagger registered the plugin already (for /docs); only one may decorate the reply.
    decorateReply: false,
    index: ['index.html'],
    cacheControl: false,
    dotfiles: 'deny',
    setHeaders: (reply, path) => {
      secure(reply);
      void reply.header(
        'cache-control',
        path.includes(`${join(bundleDir, 'assets')}/`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      );
    },
  });
  return { built: true };
}
