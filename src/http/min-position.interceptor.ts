import {
  Injectable,
  ServiceUnavailableException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import { ProjectionRunner } from '../read-model/projection-runner';
import { positionSchema } from './common-schemas';
import { RequestValidationError } from './request-validation.error';

export const MIN_POSITION_HEADER = 'x-min-position';
const MAX_WAIT_MS = 5000;

/**
 * Read-your-writes on any instance: a read with `X-Min-Position: <position from a command>` waits
 * (bounded) until this instance's read model has applied that position.
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(private readonly projections: ProjectionRunner) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers[MIN_POSITION_HEADER];
    if (header === undefined || request.method !== 'GET') return next.handle();
    const position = positionSchema.safeParse(header);
    if (!position.success) {
      throw new RequestValidationError('header', [
        { path: 'X-Min-Position', message: 'must be a position returned by a command' },
      ]);
    }
    return from(this.projections.waitFor(position.data, MAX_WAIT_MS)).pipe(
      switchMap((reached) => {
        if (!reached) {
          void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', '1');
          throw new ServiceUnavailableException(
            `This instance has not yet reached position ${position.data}; retry shortly`,
          );
        }
        return next.handle();
      }),
    );
  }
}
