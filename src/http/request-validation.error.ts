export interface FieldError {
  path: string;
  message: string;
}

/** The request's shape is wrong (body, query, path or header); nothing was attempted. */
export class RequestValidationError extends Error {
  constructor(
    readonly where: 'body' | 'query' | 'path' | 'header',
    readonly errors: FieldError[],
  ) {
    super(
      `Invalid request ${where}: ${errors.map((e) => `${e.path || '(root)'} ${e.message}`).join('; ')}`,
    );
    this.name = 'RequestValidationError';
  }
}
