import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import type { ActivePolicy } from '../domain/policy-document';
import { PolicyProvider } from '../application/policy-provider';

export type RequestWithPolicy = FastifyRequest & { policy?: ActivePolicy };

/** Loads the policy in force once per command request, so every decision carries it. */
@Injectable()
export class ActivePolicyInterceptor implements NestInterceptor {
  constructor(private readonly policies: PolicyProvider) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<RequestWithPolicy>();
    if (request.method === 'GET' || request.method === 'HEAD') return next.handle();
    return from(this.policies.current()).pipe(
      switchMap((policy) => {
        request.policy = policy;
        return next.handle();
      }),
    );
  }
}
