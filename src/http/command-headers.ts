import type { FastifyRequest } from 'fastify';
import { RequestValidationError } from './request-validation.error';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, if present: 1–255 visible ASCII characters. */
export function readIdempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
    throw new RequestValidationError('header', [
      { path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' },
    ]);
  }
  return value;
}

/** `If-Match: "<revision>"`: the stream revision the client decided on, if present. */
export function readIfMatchRevision(request: FastifyRequest): number | undefined {
  const value = request.headers['if-match'];
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? /^(?:W\/)?"(\d{1,15})"$/.exec(value.trim()) : null;
  if (!match)
    throw new RequestValidationError('header', [
      { path: 'If-Match', message: 'must be a revision ETag such as "3"' },
    ]);
  return Number(match[1]);
}
