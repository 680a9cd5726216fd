import { z } from 'zod';

/** A tree size or leaf index as a query parameter: a decimal integer without sign or leading zeros. */
const count = z
  .string()
  .regex(/^(0|[1-9]\d{0,14})$/, 'must be a non-negative integer')
  .transform(Number);

export const consistencyQuery = z
  .strictObject({ from: count, to: count })
  .refine((q) => q.from > 0, { message: 'from must be at least 1', path: ['from'] })
  .refine((q) => q.from <= q.to, { message: 'from must not exceed to', path: ['from'] });

export const inclusionQuery = z
  .strictObject({
    leafIndex: count.optional(),
    eventId: z
      .string()
      .regex(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        'must be a lower-case UUID',
      )
      .optional(),
    treeSize: count,
  })
  .refine((q) => (q.leafIndex === undefined) !== (q.eventId === undefined), {
    message: 'name the leaf by exactly one of leafIndex or eventId',
  });

export const MAX_ENTRIES = 1000;

export const entriesQuery = z.strictObject({
  start: count,
  limit: z.coerce.number().int().min(1).max(MAX_ENTRIES).default(100),
});

export const checkpointQuery = z.strictObject({
  cosigned: z.enum(['true', 'false']).optional(),
});

export const cosignatureBody = z.strictObject({
  checkpoint: z.string().min(1).max(4096),
  cosignature: z.string().min(1).max(1024),
});
