import { z } from 'zod';
import { idSchema, pageQuerySchema, partyIdSchema, reasonSchema } from '../../http/common-schemas';
import { WEBHOOK_KINDS } from '../domain/webhook-kinds';

export const registerWebhookRequest = z.strictObject({
  url: z.string().min(1).max(2048),
  kinds: z
    .array(z.enum(WEBHOOK_KINDS))
    .min(1)
    .max(WEBHOOK_KINDS.length)
    .refine((kinds) => new Set(kinds).size === kinds.length, { message: 'name each kind once' }),
  description: z.string().min(1).max(200).optional(),
  revokedKeyLiveAfterHours: z.number().int().min(0).max(720).optional(),
  reason: reasonSchema,
});
export type RegisterWebhookRequest = z.infer<typeof registerWebhookRequest>;

export const deleteWebhookRequest = z.strictObject({ reason: reasonSchema }).optional();

export const endpointParams = z.strictObject({ endpointId: idSchema });
export const listEndpointsQuery = z.strictObject({
  party: partyIdSchema.optional(),
  ...pageQuerySchema,
});
export const listDeliveriesQuery = z.strictObject({
  limit: pageQuerySchema.limit,
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'must be a cursor this list returned')
    .optional(),
});

/** Default for `revokedKeyLiveAfterHours`: a device that has not taken the revocation in a day. */
export const DEFAULT_REVOKED_KEY_LIVE_AFTER_HOURS = 24;
