import type { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { RequestValidationError } from './request-validation.error';

/** Validates one part of the request against a zod schema; unknown body fields are refused by the schemas. */
export class ZodValidation<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    readonly schema: S,
    readonly where: 'body' | 'query' | 'path' | 'header' = 'body',
  ) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      throw new RequestValidationError(
        this.where,
        parsed.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.'),
          message: issue.message,
        })),
      );
    }
    return parsed.data;
  }
}

/** OpenAPI schema of a zod schema, for @ApiBody and friends. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
  }) as Record<string, unknown>;
  return rest;
}
