import { Controller, Get, Headers, Query as QueryParams, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import type { Actor } from '../../shared/domain/actor';
import { CurrentActor } from '../../auth/bearer-auth.guard';
import { positionSchema } from '../../http/common-schemas';
import { RequestValidationError } from '../../http/request-validation.error';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { AppliedEvents } from '../feed/applied-events';
import { ChangeFeeds } from '../feed/change-feeds';

const feedQuery = z.strictObject({
  after: z.union([z.literal('now'), positionSchema]).optional(),
});

/**
 * `GET /v1/changes`: the events the caller may see, as Server-Sent Events (docs/change-feed.md).
 * The token comes in the Authorization header only, never in the URL, where logs and browser
 * history would keep it: clients read the feed with fetch(), not EventSource.
 */
@ApiTags('change feed')
@Controller('v1/changes')
export class ChangeFeedController {
  constructor(
    private readonly feeds: ChangeFeeds,
    private readonly events: AppliedEvents,
  ) {}

  @Get()
  @ApiContract({
    operationId: 'streamChanges',
    summary:
      'The events you may see (the audit view\u2019s rule) as Server-Sent Events, resumable from Last-Event-ID',
    security: 'bearer',
    headers: [
      {
        name: 'Last-Event-ID',
        description: 'The id of the last message processed: the feed resumes strictly after it',
      },
    ],
    responses: [
      {
        status: 200,
        description:
          'A Server-Sent Events stream (docs/change-feed.md): one message per event, id = its position',
        body: 'text',
        mediaType: 'text/event-stream',
      },
    ],
    problems: [400, 401, 429, 503],
  })
  async changes(
    @QueryParams(new ZodValidation(feedQuery, 'query')) query: z.infer<typeof feedQuery>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const after = this.startOf(lastEventId, query.after);
    const release = this.feeds.admit(actor.personId);
    // From here on the response is ours to write, message by message.
    reply.hijack();
    try {
      await this.feeds.serve(reply.raw, {
        actor,
        after,
        expiresAt: tokenExpiry(request.headers.authorization),
        requestId: String(request.id),
      });
    } finally {
      release();
    }
  }

  /** Last-Event-ID (a reconnect) wins over ?after= (the first connect); neither means now. */
  private startOf(lastEventId: string | undefined, after: bigint | 'now' | undefined): bigint {
    if (lastEventId !== undefined) {
      const parsed = positionSchema.safeParse(lastEventId.trim());
      if (!parsed.success)
        throw new RequestValidationError('header', [
          { path: 'Last-Event-ID', message: 'must be the id of a message this feed sent' },
        ]);
      return parsed.data;
    }
    if (after === undefined || after === 'now') return this.events.appliedPosition();
    return after;
  }
}

/** When the (already verified) Bearer token expires, in ms since the epoch. */
function tokenExpiry(authorization: string | undefined): number | undefined {
  const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const { exp } = decodeJwt(token);
    return exp === undefined ? undefined : exp * 1000;
  } catch {
    return undefined;
  }
}
