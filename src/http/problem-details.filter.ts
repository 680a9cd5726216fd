import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { DomainError, type DomainErrorKind } from '../shared/domain/domain-error';
import {
  ConcurrencyConflictError,
  IdempotencyKeyReusedError,
} from '../command-handling/command-errors';
import { EventStoreUnavailableError } from '../event-store/event-store.errors';
import {
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  problemType,
  type ProblemDetails,
} from './problem-details';
import { RequestValidationError } from './request-validation.error';

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  'rule-violated': 422,
};
const RETRY_AFTER_SECONDS = 5;

/** Maps every error to a problem+json answer; the caller's mistakes are 4xx, never 500. */
export function toProblem(error: unknown): ProblemDetails & { headers?: Record<string, string> } {
  if (error instanceof ProblemError) {
    const { status, code, headers } = error;
    return {
      type: problemType(code),
      title: STATUS_CODES[status] ?? titleOf(status),
      status,
      detail: error.message,
      code,
      headers,
    };
  }
  if (error instanceof DomainError) {
    const status = STATUS_OF_KIND[error.kind];
    return {
      type: problemType(error.code),
      title: titleOf(status),
      status,
      detail: error.message,
      code: error.code,
      ...error.details,
    };
  }
  if (error instanceof RequestValidationError) {
    return {
      type: problemType('invalid-request'),
      title: 'Invalid request',
      status: 400,
      detail: error.message,
      code: 'invalid-request',
      errors: error.errors,
    };
  }
  if (error instanceof ConcurrencyConflictError) {
    return {
      type: problemType('concurrency-conflict'),
      title: 'Conflict',
      status: 409,
      detail: error.message,
      code: 'concurrency-conflict',
      currentRevision: error.currentRevision ?? null,
    };
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return {
      type: problemType('idempotency-key-reused'),
      title: 'Unprocessable Content',
      status: 422,
      detail: error.message,
      code: 'idempotency-key-reused',
    };
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      type: problemType('store-unavailable'),
      title: 'Service Unavailable',
      status: 503,
      detail: 'The event store is unreachable; nothing was recorded. Retry later.',
      code: 'store-unavailable',
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const detail = typeof response === 'string' ? response : (messageOf(response) ?? error.message);
    return { type: 'about:blank', title: titleOf(status), status, detail, code: codeOf(status) };
  }
  // Errors Fastify raises before a route runs (bad JSON, body too large, wrong media type).
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return {
      type: 'about:blank',
      title: titleOf(statusCode),
      status: statusCode,
      detail: (error as Error).message,
      code: codeOf(statusCode),
    };
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'An unexpected error occurred; it has been logged.',
    code: 'internal-error',
  };
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  error: unknown,
  logger: Pick<Logger, 'error'>,
): void {
  const { headers, ...problem } = toProblem(error);
  if (problem.status >= 500 && problem.code === 'internal-error')
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  problem.instance = request.url;
  problem.requestId = String(request.id);
  void reply
    .status(problem.status)
    .headers({ ...(headers ?? {}), 'content-type': PROBLEM_CONTENT_TYPE })
    .send(problem);
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(
      http.getResponse<FastifyReply>(),
      http.getRequest<FastifyRequest>(),
      error,
      this.logger,
    );
  }
}

function titleOf(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    406: 'Not Acceptable',
    409: 'Conflict',
    412: 'Precondition Failed',
    413: 'Content Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Content',
    429: 'Too Many Requests',
  };
  return titles[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (headers over maxHeaderSize: 431,
 * a request that never completed: 408, anything else that is not HTTP: 400), answered as
 * problem+json like every other refusal. Used as Fastify's `clientErrorHandler`; there is no
 * request yet, so no instance or request id, and nothing of the parser's message is echoed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'request-header-fields-too-large',
          'The request header fields are larger than this service accepts',
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request-timeout', 'The request did not arrive in time']
        : [400, 'malformed-http', 'The request is not well-formed HTTP/1.1'];
  const title = STATUS_CODES[status] ?? 'Client Error';
  const body = JSON.stringify({
    type: problemType(code),
    title,
    status,
    detail,
    code,
  } satisfies ProblemDetails);
  // As Node's own default: answer only on a socket nothing was written to yet, then close it.
  if (socket.writable && socket.bytesWritten === 0) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function codeOf(status: number): string {
  return titleOf(status).toLowerCase().replace(/ /g, '-');
}

/** Nest's exception bodies carry `message` as a string or, from its validation pipes, a list. */
function messageOf(response: object): string | undefined {
  const { message } = response as { message?: unknown };
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return undefined;
}
