import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';

/** Longest the shutdown waits for requests in flight (a device long poll may hold one for 60 s). */
export const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Graceful stop, first thing at shutdown (SIGTERM, or app.close()): stop taking connections, let
 * the requests in flight finish, then say in one line how many there were and how many were
 * answered. Nest would close the HTTP server only after the read model and the store are shut; here
 * it closes before anything else does, so no request in flight meets a closed database.
 */
@Injectable()
export class RequestDrain implements OnModuleDestroy {
  private readonly logger = new Logger('Shutdown');
  private readonly inFlight = new Set<ServerResponse>();
  private fastify: FastifyInstance | undefined;
  private stopping = false;
  timeoutMs = DRAIN_TIMEOUT_MS;

  /** Counts requests from the first hook on; call it before any other hook is added. */
  attach(fastify: FastifyInstance): void {
    this.fastify = fastify;
    // Callback hooks: they run on every request, the lightest included; no promise per request.
    fastify.addHook('onRequest', (_request, reply, done) => {
      const response = reply.raw;
      this.inFlight.add(response);
      response.once('close', () => this.inFlight.delete(response));
      done();
    });
    // While stopping, each answer closes its connection, so no kept-alive socket holds the close up.
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.stopping) reply.header('connection', 'close');
      done(null, payload);
    });
  }

  async onModuleDestroy(): Promise<void> {
    const fastify = this.fastify;
    if (!fastify || this.stopping) return;
    this.stopping = true;
    const inFlight = [...this.inFlight];
    const closed = fastify.close();
    const drained = await Promise.race([
      Promise.all(inFlight.map(finished)).then(() => true),
      new Promise<false>((resolve) => setTimeout(resolve, this.timeoutMs, false).unref()),
    ]);
    if (drained) fastify.server.closeIdleConnections();
    else fastify.server.closeAllConnections();
    await closed;
    const answered = inFlight.filter((response) => response.writableFinished).length;
    const cutOff = inFlight.length - answered;
    this.logger.log(
      `Stopped: ${answered} of ${inFlight.length} requests in flight at shutdown drained and answered` +
        (cutOff > 0 ? `, ${cutOff} cut off after ${this.timeoutMs / 1000} s` : ''),
    );
  }
}

function finished(response: ServerResponse): Promise<void> {
  if (response.writableFinished || response.destroyed) return Promise.resolve();
  return new Promise((resolve) => response.once('close', () => resolve()));
}
