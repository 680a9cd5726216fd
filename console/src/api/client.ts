import type { Problem } from './types';

/** A refusal or failure from the API, with the service's stable code and its sentence. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.name = 'ApiError';
  }
  get status(): number {
    return this.problem.status;
  }
}

export type Query = Record<string, string | number | undefined>;

/**
 * The API from the console: same origin, the signed-in person's Bearer token on every call, JSON
 * in and out, problems as ApiError. After a command, reads carry the command's position as
 * X-Min-Position, so the next screen shows the change even before the read model has it.
 */
export class ApiClient {
  private minPosition: string | undefined;

  constructor(
    private readonly token: () => string,
    private readonly onUnauthorized: () => void,
  ) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.send<T>('GET', withQuery(path, query));
  }

  async post<T>(path: string, body: unknown = {}): Promise<T> {
    const outcome = await this.send<T>('POST', path, body);
    const position = (outcome as { position?: unknown }).position;
    if (typeof position === 'string') this.minPosition = position;
    return outcome;
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.token()}`,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'GET' && this.minPosition) headers['x-min-position'] = this.minPosition;
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // Same origin only: the token never leaves for another site, and no cookie is involved.
      credentials: 'omit',
      cache: 'no-store',
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized();
      const problem = (parsed ?? {}) as Partial<Problem>;
      throw new ApiError({
        status: response.status,
        code: problem.code ?? `http-${response.status}`,
        detail: problem.detail ?? response.statusText,
        ...(problem.requestId ? { requestId: problem.requestId } : {}),
        ...(problem.errors ? { errors: problem.errors } : {}),
      });
    }
    return parsed as T;
  }
}

export function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Path segments are encoded, so a serial or id can never reach another route. */
export const segment = (value: string) => encodeURIComponent(value);
