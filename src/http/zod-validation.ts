import { createParamDecorator, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RequestValidationError } from './request-validation.error';

/** Validates one part of the request against a zod schema; unknown body fields are refused by the schemas. */
export class ZodValidation<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S, private readonly where: 'body' | 'query' | 'path' | 'header' = 'body') {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      throw new RequestValidationError(
        this.where,
        parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
      );
    }
    return parsed.data;
  }
}

/** OpenAPI schema of a zod schema, for @ApiBody and friends. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>;
  return rest;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, if present: visible ASCII, at most 255 characters. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
    throw new RequestValidationError('header', [{ path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }]);
  }
  return value;
});

/** `If-Match: "<revision>"` as the revision the client expects, if present. */
export const IfMatchRevision = createParamDecorator((_: unknown, context: ExecutionContext): number | undefined => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? /^(?:W\/)?"(\d{1,15})"$/.exec(value.trim()) : null;
  if (!match) throw new RequestValidationError('header', [{ path: 'If-Match', message: 'must be a revision ETag such as "3"' }]);
  return Number(match[1]);
});
