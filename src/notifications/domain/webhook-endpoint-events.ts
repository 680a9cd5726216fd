import type { DomainEvent } from '../../shared/domain/domain-event';
import type { WebhookKind } from './webhook-kinds';

/**
 * An endpoint as registered. Its secret is not here: events are read by the audit view and the
 * change feed, so the secret is derived from the endpoint id with the service's webhook key and
 * shown once, in the answer to the registration.
 */
export type WebhookEndpointRegistered = DomainEvent<
  'WebhookEndpointRegistered',
  {
    endpointId: string;
    partyId: string;
    url: string;
    kinds: WebhookKind[];
    description: string | null;
    /** For `revoked-key.still-live`: how long after a revocation a still-live key is reported. */
    revokedKeyLiveAfterHours: number;
  }
>;
export type WebhookEndpointDeleted = DomainEvent<
  'WebhookEndpointDeleted',
  { endpointId: string; partyId: string }
>;
export type WebhookEndpointEvent = WebhookEndpointRegistered | WebhookEndpointDeleted;

export const WEBHOOK_ENDPOINT_STREAM_PREFIX = 'webhook-endpoint-';
export const webhookEndpointStreamId = (endpointId: string) =>
  `${WEBHOOK_ENDPOINT_STREAM_PREFIX}${endpointId}`;
