import { z } from 'zod';
import { nameSchema } from '../http/openapi/schema-names';

export const livenessSchema = nameSchema(z.strictObject({ status: z.literal('up') }), 'Liveness');

const check = z
  .looseObject({ status: z.enum(['up', 'down']) })
  .meta({ description: 'One check: up or down, a fixed reason when down, and its numbers' });
const checks = z.record(z.string(), check);

/** Readiness as @nestjs/terminus reports it: each check (eventStore, projections, catchUp, signer). */
export const readinessSchema = nameSchema(
  z.strictObject({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: checks.optional(),
    error: checks.optional(),
    details: checks,
  }),
  'Readiness',
);
