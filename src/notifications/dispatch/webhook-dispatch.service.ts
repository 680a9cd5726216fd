import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import {
  DEVICE_SYNC_READ_MODEL,
  type DeviceSyncReadModel,
} from '../../devices/queries/device-sync-read-model';
import { HostAllowList } from '../delivery/host-allow-list';
import { WebhookSecrets } from '../delivery/webhook-secrets';
import { WebhookSender } from '../delivery/webhook-sender';
import { AppliedEvents } from '../feed/applied-events';
import {
  WEBHOOK_ENDPOINT_READ_MODEL,
  type WebhookEndpointReadModel,
} from '../queries/webhook-endpoint-read-model';
import { DELIVERY_OUTBOX, type DeliveryOutbox } from './delivery-outbox';
import { DeliveryWorker } from './delivery-worker';
import { ExposureScan } from './exposure-scan';
import { WebhookDispatcher } from './webhook-dispatcher';

/** Attempts in flight at once across all endpoints. */
const DELIVERY_CONCURRENCY = 8;
/** How often the outbox is read when nothing new was queued (retries coming due). */
const OUTBOX_POLL_MS = 250;

/**
 * The webhook machinery of this instance, started once the app is up (WEBHOOK_DISPATCH) and
 * stopped before the read model closes: the dispatcher (events → outbox), the worker (outbox →
 * HTTP), and the periodic exposure scan.
 */
@Injectable()
export class WebhookDispatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly dispatcher: WebhookDispatcher;
  private readonly worker: DeliveryWorker;
  private readonly exposures: ExposureScan;
  private scanTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) store: EventStore,
    events: AppliedEvents,
    allowList: HostAllowList,
    secrets: WebhookSecrets,
    @Inject(WEBHOOK_ENDPOINT_READ_MODEL) endpoints: WebhookEndpointReadModel,
    @Inject(DELIVERY_OUTBOX) outbox: DeliveryOutbox,
    @Inject(DEVICE_SYNC_READ_MODEL) sync: DeviceSyncReadModel,
  ) {
    const onError = (message: string) => this.logger.error(message);
    this.worker = new DeliveryWorker(
      outbox,
      endpoints,
      secrets,
      new WebhookSender(allowList, config.WEBHOOK_TIMEOUT_MS),
      {
        schedule: {
          baseMs: config.WEBHOOK_RETRY_BASE_MS,
          maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        },
        concurrency: DELIVERY_CONCURRENCY,
        pollMs: OUTBOX_POLL_MS,
      },
      onError,
    );
    this.dispatcher = new WebhookDispatcher(
      events,
      store,
      endpoints,
      outbox,
      () => this.worker.wake(),
      { error: onError },
    );
    this.exposures = new ExposureScan(endpoints, sync, outbox);
  }

  onApplicationBootstrap(): void {
    if (!this.config.WEBHOOK_DISPATCH) return;
    this.dispatcher.start();
    this.worker.start();
    this.scanTimer = setInterval(
      () => this.scanExposures(),
      this.config.WEBHOOK_EXPOSURE_SCAN_SECONDS * 1000,
    );
    this.scanTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.scanTimer);
    await this.dispatcher.stop();
    await this.worker.stop();
  }

  private scanExposures(): void {
    try {
      if (this.exposures.scan(new Date()) > 0) this.worker.wake();
    } catch (error) {
      this.logger.error(`Exposure scan failed: ${(error as Error).message}`);
    }
  }
}
