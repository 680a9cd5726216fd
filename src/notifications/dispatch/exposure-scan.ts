import type { FleetFilter } from '../../batteries/domain/access-policy';
import type { DeviceSyncReadModel, Exposure } from '../../devices/queries/device-sync-read-model';
import type { WebhookEndpointReadModel } from '../queries/webhook-endpoint-read-model';
import type { DeliveryOutbox, NewDelivery } from './delivery-outbox';
import { deliveryIdOf, exposureOccurrence } from './delivery-ids';

const KIND = 'revoked-key.still-live' as const;
const PAGE = 500;

/**
 * `revoked-key.still-live` is about time passing, not about an event: every so often, each
 * endpoint that wants it is matched against the device-sync read model's exposure list (revoked
 * keys a device may still honour) of the batteries its party owns or operates. An exposure older
 * than the endpoint's hours is queued once: its delivery id is the occurrence's.
 */
export class ExposureScan {
  constructor(
    private readonly endpoints: WebhookEndpointReadModel,
    private readonly sync: DeviceSyncReadModel,
    private readonly outbox: DeliveryOutbox,
  ) {}

  /** Queues what is due at `now` (what was queued before stays as it is); answers how many are due. */
  scan(now: Date): number {
    const deliveries: NewDelivery[] = [];
    for (const endpoint of this.endpoints.liveWanting(KIND)) {
      const dueBefore = now.getTime() - endpoint.revokedKeyLiveAfterHours * 3_600_000;
      const seen = new Set<string>();
      for (const filter of [
        { ownerId: endpoint.partyId },
        { operatorId: endpoint.partyId },
      ] satisfies FleetFilter[]) {
        for (const exposure of this.exposures(filter, now)) {
          const occurrence = exposureOccurrence(exposure.serial, exposure.keyId);
          if (seen.has(occurrence) || Date.parse(exposure.revokedAt) > dueBefore) continue;
          seen.add(occurrence);
          deliveries.push({
            deliveryId: deliveryIdOf(endpoint.id, KIND, occurrence),
            endpointId: endpoint.id,
            kind: KIND,
            eventPosition: null,
            payload: JSON.stringify({
              type: KIND,
              timestamp: new Date(
                Date.parse(exposure.revokedAt) + endpoint.revokedKeyLiveAfterHours * 3_600_000,
              ).toISOString(),
              data: {
                serial: exposure.serial,
                keyId: exposure.keyId,
                kid: exposure.kid,
                revokedAt: exposure.revokedAt,
                applied: exposure.applied,
                afterHours: endpoint.revokedKeyLiveAfterHours,
              },
            }),
          });
        }
      }
    }
    const before = deliveries.length;
    if (before > 0) this.outbox.add(deliveries, now);
    return before;
  }

  private *exposures(filter: FleetFilter, now: Date): Generator<Exposure> {
    let cursor: string | undefined;
    do {
      const page = this.sync.exposure(filter, undefined, cursor, PAGE, now);
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
}
