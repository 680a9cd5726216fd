import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';

/** Longest the shutdown waits for requests in flight (a device long poll may hold one for 60 s). */
export const DRAIN_TIMEOUT_MS = 10_000;
/** Responses held before the first sweep of the answered ones. */
const SWEEP_MIN = 256;

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
  private sweepAt = SWEEP_MIN;
  private fastify: FastifyInstance | undefined;
  private stopping = false;
  timeoutMs = DRAIN_TIMEOUT_MS;

  /** Counts requests from the first hook on; call it before any other hook is added. */
  attach(fastify: FastifyInstance): void {
    this.fastify = fastify;
    // Callback hooks and no listener of our own: they run on every request, the lightest included.
    // An answer leaves the set at once (held longer, every response would outlive the young
    // generation and cost the collector far more); an aborted one leaves it at the next sweep.
    fastify.addHook('onRequest', (_request, reply, done) => {
      this.track(reply.raw);
      done();
    });
    fastify.addHook('onResponse', (_request, reply, done) => {
      this.inFlight.delete(reply.raw);
      done();
    });
  }

  /**
   * Remembers a response in flight. Responses that never finish (the client went away) are swept
   * out only when the set has doubled since the last sweep, so the cost per request stays
   * constant and at most twice the requests really in flight (or SWEEP_MIN) are held.
   */
  private track(response: ServerResponse): void {
    if (this.inFlight.size >= this.sweepAt) {
      for (const held of this.inFlight) if (done(held)) this.inFlight.delete(held);
      this.sweepAt = Math.max(SWEEP_MIN, this.inFlight.size * 2);
    }
    this.inFlight.add(response);
  }

  async onModuleDestroy(): Promise<void> {
    const fastify = this.fastify;
    if (!fastify || this.stopping) return;
    this.stopping = true;
    const inFlight = [...this.inFlight].filter((response) => !done(response));
    // Each answer still to come closes its connection, so no kept-alive socket holds the close up.
    for (const response of inFlight)
      if (!response.headersSent) response.setHeader('connection', 'close');
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

function done(response: ServerResponse): boolean {
  return response.writableFinished || response.destroyed;
}

function finished(response: ServerResponse): Promise<void> {
  if (done(response)) return Promise.resolve();
  return new Promise((resolve) => response.once('close', () => resolve()));
}
