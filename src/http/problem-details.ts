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
