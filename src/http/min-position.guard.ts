import {
  ServiceUnavailableException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProjectionRunner } from '../read-model/projection-runner';
import { positionSchema } from './common-schemas';
import { RequestValidationError } from './request-validation.error';

export const MIN_POSITION_HEADER = 'x-min-position';
const MAX_WAIT_MS = 5000;

/**
 * Read-your-writes on any instance: a read with `X-Min-Position: <position from a command>` waits
 * (bounded) until this instance's read model has applied that position.
 *
 * A guard, not an interceptor: a request without the header costs one property lookup, with no
 * RxJS pipeline around every handler. createApp registers it with useGlobalGuards after Nest has
 * installed the APP_GUARDs, so it runs after BearerAuthGuard: a request without a valid token is
 * answered 401 before its header is judged or waited on, as with the interceptor it replaces.
 */
export class MinPositionGuard implements CanActivate {
  constructor(private readonly projections: ProjectionRunner) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers[MIN_POSITION_HEADER];
    if (header === undefined || request.method !== 'GET') return true;
    const position = positionSchema.safeParse(header);
    if (!position.success) {
      throw new RequestValidationError('header', [
        { path: 'X-Min-Position', message: 'must be a position returned by a command' },
      ]);
    }
    return this.projections.waitFor(position.data, MAX_WAIT_MS).then((reached) => {
      if (!reached) {
        void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', '1');
        throw new ServiceUnavailableException(
          `This instance has not yet reached position ${position.data}; retry shortly`,
        );
      }
      return true;
    });
  }
}
