import { z } from 'zod';
import { nameSchema } from '../../http/openapi/schema-names';
import { commandOutcomeSchema, pageOf } from '../../http/openapi/response-schemas';
import { WEBHOOK_KINDS } from '../domain/webhook-kinds';
import { registerWebhookRequest } from './webhook-requests';

/** Response shapes of the webhook routes (docs/change-feed.md), for the OpenAPI contract. */

nameSchema(registerWebhookRequest, 'RegisterWebhookRequest');

const timestamp = z.string().meta({ format: 'date-time' });

export const webhookEndpointSchema = nameSchema(
  z.strictObject({
    id: z.string(),
    partyId: z.string(),
    url: z.string(),
    kinds: z.array(z.enum(WEBHOOK_KINDS)),
    description: z.string().nullable(),
    revokedKeyLiveAfterHours: z.number().int(),
    registeredAt: timestamp,
  }),
  'WebhookEndpoint',
);

export const registeredWebhookSchema = nameSchema(
  commandOutcomeSchema.extend({
    endpoint: webhookEndpointSchema.extend({
      secret: z.string().meta({
        description: 'The Standard Webhooks signing secret (whsec_…), shown this once',
      }),
    }),
  }),
  'RegisteredWebhook',
);

export const webhookEndpointPageSchema = nameSchema(
  pageOf(webhookEndpointSchema),
  'WebhookEndpointPage',
);

export const webhookDeliveryPageSchema = nameSchema(
  pageOf(
    z.strictObject({
      deliveryId: z.string(),
      kind: z.string(),
      status: z.enum(['pending', 'delivered', 'failed', 'cancelled']),
      attempts: z.number().int().min(0),
      lastStatus: z.number().int().nullable(),
      lastError: z
        .enum(['timeout', 'connection-failed', 'dns-failed', 'address-not-allowed', 'http-status'])
        .nullable(),
      eventPosition: z.string().nullable(),
      createdAt: timestamp,
      lastAttemptAt: timestamp.nullable(),
      nextAttemptAt: timestamp.nullable(),
      deliveredAt: timestamp.nullable(),
    }),
  ),
  'WebhookDeliveryPage',
);
