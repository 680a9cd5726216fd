import { v5 as uuidv5 } from 'uuid';

/** Namespace of delivery ids (UUID v5): the same endpoint and occurrence always give the same id. */
const DELIVERY_ID_NAMESPACE = 'c1f6a0e2-7d4b-4e0f-8a8e-5b1d2f7c9e43';

/**
 * `webhook-id`: stable per endpoint and occurrence, so a retry, a re-match after a crash or a
 * second instance dispatching sends the same id, and a receiver deduplicates by it.
 */
export function deliveryIdOf(endpointId: string, kind: string, occurrence: string): string {
  return `msg_${uuidv5(`${endpointId}\n${kind}\n${occurrence}`, DELIVERY_ID_NAMESPACE).replace(/-/g, '')}`;
}

/** A battery's revoked key still live on its device: one occurrence, however often it is seen. */
export const exposureOccurrence = (serial: string, keyId: string) =>
  `exposure\n${serial}\n${keyId}`;
