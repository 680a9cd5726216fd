import { nextRetryDelayMs, type RetrySchedule } from '../domain/retry-schedule';
import type { WebhookSecrets } from '../delivery/webhook-secrets';
import type { AttemptResult, WebhookSender } from '../delivery/webhook-sender';
import type { WebhookEndpointReadModel } from '../queries/webhook-endpoint-read-model';
import type { DeliveryOutbox, DueDelivery } from './delivery-outbox';

export interface DeliveryWorkerOptions {
  schedule: RetrySchedule;
  /** Attempts in flight at once, across endpoints; each endpoint has at most one. */
  concurrency: number;
  /** How often the outbox is looked at when nothing wakes the worker. */
  pollMs: number;
}

/** How long a stop waits for attempts in flight; what it cuts off is sent again after the restart. */
const STOP_GRACE_MS = 2_000;

/**
 * Sends what the outbox holds: due deliveries, at most one in flight per endpoint (so a slow or
 * dead endpoint delays only its own), each attempt's outcome recorded, failures due again after
 * the retry schedule's delay, and failed for good after its last attempt.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private ticking = false;

  constructor(
    private readonly outbox: DeliveryOutbox,
    private readonly endpoints: WebhookEndpointReadModel,
    private readonly secrets: WebhookSecrets,
    private readonly sender: WebhookSender,
    private readonly options: DeliveryWorkerOptions,
    private readonly onError: (message: string) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Something was queued: look now rather than at the next poll. */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.race([
      Promise.all(this.inFlight.values()),
      new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref()),
    ]);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      const room = this.options.concurrency - this.inFlight.size;
      if (room > 0) {
        for (const delivery of this.outbox.due(new Date(), this.options.concurrency * 8)) {
          if (this.inFlight.size >= this.options.concurrency) break;
          if (this.inFlight.has(delivery.endpointId)) continue;
          const attempt = this.attempt(delivery).finally(() => {
            this.inFlight.delete(delivery.endpointId);
            this.wake();
          });
          this.inFlight.set(delivery.endpointId, attempt);
        }
      }
    } catch (error) {
      this.onError(`Webhook outbox unreadable: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
    if (!this.stopped) this.schedule(this.options.pollMs);
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    try {
      const endpoint = this.endpoints.get(delivery.endpointId);
      // Unknown here (a read model being rebuilt): leave it due; deleted: nothing more is sent.
      if (!endpoint) return;
      if (endpoint.deletedPosition !== null) {
        this.outbox.cancelPendingOf(endpoint.id);
        return;
      }
      const at = new Date();
      const result: AttemptResult = await this.sender.attempt(
        {
          url: endpoint.url,
          deliveryId: delivery.deliveryId,
          secret: this.secrets.secretFor(endpoint.id),
          payload: delivery.payload,
        },
        at,
      );
      // Stopped meanwhile: the database may be closed; the delivery is sent again after the restart.
      if (this.stopped) return;
      if (result.ok) {
        this.outbox.recordSuccess(delivery.deliveryId, result.status, new Date());
        return;
      }
      const delay = nextRetryDelayMs(delivery.attempts + 1, this.options.schedule);
      this.outbox.recordFailure(
        delivery.deliveryId,
        result,
        new Date(),
        delay === null ? null : new Date(Date.now() + delay),
      );
    } catch (error) {
      if (!this.stopped) this.onError(`Webhook delivery not recorded: ${(error as Error).message}`);
    }
  }
}
