/** RFC 9457 problem details, with this service's stable `code` and the request id for support. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const problemType = (code: string) => `urn:battery-keys:problem:${code}`;

/**
 * An error that knows its whole answer: status, stable `code`, a fixed sentence of ours as `detail`
 * and any headers the status calls for (Retry-After on 429 and 503, WWW-Authenticate on 401).
 * Nothing from a library's internals reaches the caller through it.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}
