import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../shared/domain/actor';
import type { CallContext } from '../policy/domain/command-context';
import type { ExecuteOptions } from '../command-handling/command-executor';
import { requestFingerprint } from './request-fingerprint';
import { readIdempotencyKey, readIfMatchRevision } from './command-headers';

/**
 * Everything a command takes from its HTTP request besides the body: the verified actor, the
 * request id, the time, and the Idempotency-Key and If-Match headers.
 */
export interface CommandCall {
  actor: Actor;
  /** Who, when, why and which request; the policy is added where the command is decided. */
  context(reason?: string): CallContext;
  options: ExecuteOptions;
}

export const CallOfCommand = createParamDecorator(
  (_: unknown, execution: ExecutionContext): CommandCall => {
    const request = execution.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    const { actor } = request;
    if (!actor) throw new UnauthorizedException('A Bearer token is required');
    const key = readIdempotencyKey(request);
    const expectedRevision = readIfMatchRevision(request);
    const now = new Date();
    return {
      actor,
      context: (reason) => ({
        actor,
        now,
        requestId: String(request.id),
        ...(reason ? { reason } : {}),
      }),
      options: {
        actor,
        ...(key ? { idempotency: { key, fingerprint: requestFingerprint(request) } } : {}),
        ...(expectedRevision !== undefined ? { expectedRevision } : {}),
      },
    };
  },
);
