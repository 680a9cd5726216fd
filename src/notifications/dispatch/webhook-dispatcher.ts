import type { EventStore, RecordedEvent } from '../../event-store/event-store.port';
import { toDomainEvent } from '../../shared/infrastructure/event-mapping';
import { storedMetadata } from '../../shared/infrastructure/event-mapping';
import { BATTERY_STREAM_PREFIX, type BatteryEvent } from '../../batteries/domain/battery-events';
import { evolveBattery, initialBatteryState } from '../../batteries/domain/battery-state';
import { NOTIFYING_EVENT_TYPES, notificationsOf } from '../domain/battery-notifications';
import type { AppliedEvents } from '../feed/applied-events';
import type { WebhookEndpointReadModel } from '../queries/webhook-endpoint-read-model';
import type { DeliveryOutbox, NewDelivery } from './delivery-outbox';
import { deliveryIdOf } from './delivery-ids';

export interface DispatchLogger {
  error(message: string): void;
}

/** Events matched per transaction with the checkpoint. */
const DISPATCH_BATCH = 100;
/** How long one wait for new events lasts before the loop looks at `stopping` again. */
const IDLE_WAIT_MS = 1_000;

/**
 * Turns events into deliveries: reads the store after its own checkpoint (as far as the read
 * model has applied it), matches each event against the endpoints live at it, and writes the
 * outbox rows and the new checkpoint in one transaction. A crash before the commit reads the
 * events again; after it, the rows are there: no event is missed or matched twice.
 */
export class WebhookDispatcher {
  private loop: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly events: AppliedEvents,
    private readonly store: EventStore,
    private readonly endpoints: WebhookEndpointReadModel,
    private readonly outbox: DeliveryOutbox,
    private readonly onQueued: () => void,
    private readonly logger: DispatchLogger,
  ) {}

  start(): void {
    this.stopping = false;
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    let backoffMs = 100;
    while (!this.stopping) {
      try {
        // Nothing can match while no endpoint exists: wait for the read model to move, read and
        // write nothing (the checkpoint moves once, to the first registration, when there is one).
        const firstRegistered = this.endpoints.firstRegisteredPosition();
        if (firstRegistered === undefined) {
          await this.events.waitBeyond(this.events.appliedPosition(), IDLE_WAIT_MS);
          continue;
        }
        if (this.skipBefore(firstRegistered)) continue;
        const batch = await this.events.after(
          this.outbox.checkpoint(),
          DISPATCH_BATCH,
          IDLE_WAIT_MS,
        );
        if (this.stopping || batch.length === 0) continue;
        const deliveries: NewDelivery[] = [];
        for (const event of batch) deliveries.push(...(await this.deliveriesFor(event)));
        if (this.stopping) break;
        this.outbox.commit(deliveries, batch[batch.length - 1].position, new Date());
        if (deliveries.length > 0) this.onQueued();
        backoffMs = 100;
      } catch (error) {
        if (this.stopping) break;
        this.logger.error(
          `Webhook dispatch failed; again from its checkpoint in ${backoffMs} ms: ${(error as Error).message}`,
        );
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
  }

  /**
   * Moves the checkpoint over the applied events before the first registration without reading
   * them: an endpoint matches only events recorded after its own (a fleet that had no webhooks
   * for a long history does not re-read it). Answers whether it moved.
   */
  private skipBefore(firstRegistered: bigint): boolean {
    const checkpoint = this.outbox.checkpoint();
    const applied = this.events.appliedPosition();
    const unmatchable = firstRegistered > applied ? applied : firstRegistered;
    if (unmatchable <= checkpoint) return false;
    this.outbox.commit([], unmatchable, new Date());
    return true;
  }

  /** The deliveries one event causes: none for most; for a notifying battery event, one per live endpoint that wants it. */
  private async deliveriesFor(recorded: RecordedEvent): Promise<NewDelivery[]> {
    if (!recorded.streamId.startsWith(BATTERY_STREAM_PREFIX)) return [];
    if (!NOTIFYING_EVENT_TYPES.has(recorded.type)) return [];
    const serial = recorded.streamId.slice(BATTERY_STREAM_PREFIX.length);
    // The battery as it stood right after this event, whatever happened to it since.
    const history = await this.store.readStream(recorded.streamId, {
      maxCount: recorded.revision + 1,
    });
    const battery = history.reduce(
      (state, event) => evolveBattery(state, toDomainEvent<BatteryEvent>(event)),
      initialBatteryState(),
    );
    if (!battery.provisioned) return [];
    const meta = storedMetadata(recorded);
    const notifications = notificationsOf(
      serial,
      toDomainEvent<BatteryEvent>(recorded),
      {
        position: recorded.position.toString(),
        eventId: recorded.id,
        type: recorded.type,
        revision: recorded.revision,
        occurredAt: meta.occurredAt,
        actor: meta.actor,
      },
      battery,
    );
    const deliveries: NewDelivery[] = [];
    for (const notification of notifications) {
      for (const endpoint of this.endpoints.matchingAt(
        notification.partyId,
        recorded.position,
        notification.kind,
      )) {
        deliveries.push({
          deliveryId: deliveryIdOf(endpoint.id, notification.kind, recorded.id),
          endpointId: endpoint.id,
          kind: notification.kind,
          eventPosition: recorded.position,
          payload: JSON.stringify({
            type: notification.kind,
            timestamp: meta.occurredAt,
            data: notification.data,
          }),
        });
      }
    }
    return deliveries;
  }
}
