import { z } from 'zod';

/**
 * Serials are written in one spelling: upper-case letters, digits, dot, dash, underscore. Two
 * serials that differ only in letter case could otherwise name two batteries, and a device's
 * bundle binds its serial exactly.
 */
export const serialSchema = z
  .string()
  .regex(
    /^[A-Z0-9][A-Z0-9._-]{0,63}$/,
    'must be 1–64 upper-case letters, digits, dot, dash or underscore (serials have one spelling)',
  );
export const partyIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1–63 lowercase letters, digits or dashes');
export const personIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be 1–128 letters, digits or ._:@-')
  // `device:<serial>` is the actor a battery's own acknowledgements are recorded under; no person is one.
  .refine((id) => !/^device:/i.test(id), {
    message: 'device:… is reserved for batteries, not a person',
  });
export const idSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1–64 letters, digits, dot, dash or underscore',
  );
export const reasonSchema = z.string().min(1).max(500).optional();
export const pageQuerySchema = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(128).optional(),
};

/** Largest position a store can hand out (SQLite and EventStoreDB positions are signed 64-bit). */
const MAX_POSITION = 2n ** 63n - 1n;

/** A global position as sent back by a client (a cursor, X-Min-Position): decimal, parsed, in range. */
export const positionSchema = z
  .string()
  .regex(/^\d{1,19}$/, 'must be a position returned by this service')
  .transform((value) => BigInt(value))
  .refine((position) => position <= MAX_POSITION, {
    message: 'must be a position returned by this service',
  });

export const serialParams = z.strictObject({ serial: serialSchema });
