import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceMetrics } from './service-metrics';

/** Why the metrics port could not be opened, in words an operator acts on (main.ts prints it as is). */
export class MetricsListenError extends Error {
  constructor(host: string, port: number, cause: unknown) {
    const code = (cause as { code?: unknown }).code;
    const where = `port ${port} on ${host}`;
    const why =
      code === 'EADDRINUSE'
        ? 'it is in use by another process; stop it or set METRICS_PORT'
        : code === 'EADDRNOTAVAIL'
          ? 'no interface has that address; set METRICS_HOST'
          : code === 'EACCES'
            ? 'not permitted for this user; use a port above 1023'
            : cause instanceof Error
              ? cause.message
              : String(cause);
    super(`Cannot serve metrics on ${where}: ${why}`, { cause });
    this.name = 'MetricsListenError';
  }
}

/**
 * The metrics port: a plain Node HTTP server (no framework, no guard, no rate limit, no request
 * log) that answers `GET /metrics` and nothing else. It is its own port so the API never shows
 * operational figures to tenants and a scrape needs no credentials: reaching the port is the
 * permission, which is why it binds to loopback unless METRICS_HOST opens it.
 */
export class MetricsListener {
  private server: Server | undefined;

  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly host: string,
    private readonly port: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((request, response) => this.answer(request, response));
    // A scraper keeps its connection; at shutdown it must not hold the process open.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new MetricsListenError(this.host, this.port, error)));
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
  }

  /** Where it listens (the port the OS picked when METRICS_PORT is 0). */
  url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('The metrics listener is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/metrics`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        .end('Method not allowed\n');
      return;
    }
    this.metrics.scrape().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      () => {
        response
          .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          .end('Metrics unavailable\n');
      },
    );
  }
}
