import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Actor } from '../../shared/domain/actor';
import type { RelationshipFacts } from '../../policy/domain/relationship';
import { ProblemError } from '../../http/problem-details';
import {
  BATTERY_READ_MODEL,
  type BatteryReadModel,
} from '../../batteries/queries/battery-read-model';
import { storedMetadata } from '../../shared/infrastructure/event-mapping';
import { maySeeChange } from '../domain/change-visibility';
import { serialOfStream } from '../domain/stream-subject';
import { AppliedEvents } from './applied-events';
import { changeMessageOf, sseComment, sseMessage } from './change-message';

/** A comment at least this often keeps proxies from closing an idle feed and shows a dead one. */
export const HEARTBEAT_MS = 15_000;
/** How long a client waits before it reconnects (the SSE `retry:` field). */
export const RECONNECT_MS = 3_000;
/**
 * One wait for new events: short, so a closed feed leaves no long timer behind; the heartbeat
 * goes out by the time since the last write, whatever the waits.
 */
const WAIT_SLICE_MS = 1_000;
/** Events read from the store at once: the most one feed holds in memory besides its socket buffer. */
export const FEED_BATCH = 100;
/** Open feeds one person may hold on one instance: a console needs one, a leak or an attack many. */
export const MAX_FEEDS_PER_PERSON = 5;

export interface FeedRequest {
  actor: Actor;
  /** Exclusive: the feed sends events strictly after this position. */
  after: bigint;
  /** When the caller's token expires (ms since epoch): the feed ends then, as the token does. */
  expiresAt: number | undefined;
  requestId: string;
}

/**
 * The open change feeds: each a single cursor over the store's global order (as far as the read
 * model has applied it), filtered by the audit view's rule, written with backpressure, and closed
 * when the server begins to stop, so no feed holds the shutdown.
 */
@Injectable()
export class ChangeFeeds implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ChangeFeed');
  private readonly open = new Set<ServerResponse>();
  private readonly perPerson = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly events: AppliedEvents,
    @Inject(BATTERY_READ_MODEL) private readonly batteries: BatteryReadModel,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // fastify.close() (the shutdown drain's first step) runs preClose before it waits for requests
    // in flight: an open feed is one of them and would otherwise hold the stop until its timeout.
    fastify?.addHook('preClose', (done) => {
      this.closeAll();
      done();
    });
  }

  onModuleDestroy(): void {
    this.closeAll();
  }

  /** Counts a feed against its person's limit; 429 over it. Returns the release. */
  admit(personId: string): () => void {
    if (this.stopping)
      throw new ProblemError(503, 'shutting-down', 'The instance is stopping; reconnect', {
        'retry-after': '1',
      });
    const count = this.perPerson.get(personId) ?? 0;
    if (count >= MAX_FEEDS_PER_PERSON) {
      throw new ProblemError(
        429,
        'too-many-feeds',
        `At most ${MAX_FEEDS_PER_PERSON} change feeds per person may be open at once; close one first`,
        { 'retry-after': String(RECONNECT_MS / 1000) },
      );
    }
    this.perPerson.set(personId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perPerson.get(personId) ?? 1) - 1;
      if (left > 0) this.perPerson.set(personId, left);
      else this.perPerson.delete(personId);
    };
  }

  /** Streams the feed on `raw` (already taken over from the framework) until either side ends it. */
  async serve(raw: ServerResponse, feed: FeedRequest): Promise<void> {
    this.open.add(raw);
    let closed = false;
    let wake: () => void = () => undefined;
    const whenClosed = new Promise<void>((resolve) => (wake = resolve));
    const onClose = () => {
      closed = true;
      wake();
    };
    raw.once('close', onClose);
    const expiry =
      feed.expiresAt === undefined
        ? undefined
        : setTimeout(() => raw.end(), Math.max(0, feed.expiresAt - Date.now()));
    expiry?.unref();
    try {
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': feed.requestId,
      });
      let cursor = feed.after;
      let lastWrite = Date.now();
      if (!(await write(raw, `retry: ${RECONNECT_MS}\n${sseComment(`feed after ${cursor}`)}`)))
        return;
      while (!closed && !this.stopping) {
        const batch = await Promise.race([
          this.events.after(cursor, FEED_BATCH, WAIT_SLICE_MS),
          whenClosed.then(() => null),
        ]);
        if (batch === null || closed) break;
        const batteries = new Map<string, RelationshipFacts | undefined>();
        let chunk = '';
        for (const event of batch) {
          const serial = serialOfStream(event.streamId);
          if (serial !== null && !batteries.has(serial))
            batteries.set(serial, this.batteries.facts(serial));
          const change = { actorPartyId: storedMetadata(event).actor.partyId, serial };
          if (maySeeChange(feed.actor, change, serial === null ? undefined : batteries.get(serial)))
            chunk += sseMessage(changeMessageOf(event));
          cursor = event.position;
        }
        if (chunk === '' && Date.now() - lastWrite < HEARTBEAT_MS) continue;
        // Backpressure: the next batch is read only once the socket has taken this one.
        if (!(await write(raw, chunk || sseComment('heartbeat')))) break;
        lastWrite = Date.now();
      }
    } catch (error) {
      // The client reconnects with its Last-Event-ID; the log says why the feed ended.
      this.logger.warn(`Change feed ended by an error: ${(error as Error).message}`);
    } finally {
      clearTimeout(expiry);
      raw.off('close', onClose);
      this.open.delete(raw);
      if (!raw.writableEnded) raw.end();
    }
  }

  private closeAll(): void {
    this.stopping = true;
    for (const raw of this.open) raw.end();
  }
}

/** Writes, and waits for the socket to drain when its buffer is full; false once the client is gone. */
function write(raw: ServerResponse, text: string): Promise<boolean> {
  if (raw.destroyed || raw.writableEnded) return Promise.resolve(false);
  if (raw.write(text)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      raw.off('drain', onDrain);
      raw.off('close', onGone);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onGone = () => done(false);
    raw.once('drain', onDrain);
    raw.once('close', onGone);
  });
}
