import {
  Logger,
  Module,
  Optional,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { RATE_LIMIT_OBSERVER } from '../auth/rate-limit-observer';
import { BUNDLE_SIGNING_OBSERVER } from '../bundles/application/bundle-signing-observer';
import { COMMAND_OBSERVER } from '../command-handling/command-observer';
import type { AppConfig } from '../config/app-config';
import type { DeviceProofVerifier } from '../devices/authentication/device-proof-verifier';
import { DevicesModule } from '../devices/devices.module';
import { DEVICE_PROOF_VERIFIER } from '../devices/http/device-proof.guard';
import {
  DEVICE_SYNC_READ_MODEL,
  type DeviceSyncReadModel,
} from '../devices/queries/device-sync-read-model';
import { EVENT_STORE_OBSERVER } from '../event-store/event-store-observer';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { ProjectionRunner } from '../read-model/projection-runner';
import { READ_MODEL_REGISTRY, type ReadModelRegistry } from '../read-model/read-model-registry';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { ProjectionLag } from './projection-lag';
import { registerScrapeGauges } from './scrape-gauges';
import { ServiceMetrics } from './service-metrics';

/** Metrics are collected when someone can read them: on their own port, or on the API port. */
export const metricsEnabled = (config: AppConfig): boolean =>
  config.METRICS_PORT !== undefined || config.METRICS_ON_API_PORT;

const SCRAPE_GAUGES = Symbol('ScrapeGauges');

/** The ports of the service that the metrics adapter implements, so each context stays unaware of it. */
const OBSERVER_PORTS = [
  COMMAND_OBSERVER,
  EVENT_STORE_OBSERVER,
  BUNDLE_SIGNING_OBSERVER,
  RATE_LIMIT_OBSERVER,
];

/**
 * Prometheus metrics (prom-client): the registry and the observers the command path, the event
 * store, the bundle signer and the rate limit report to; the gauges computed at scrape time; the
 * metrics port (METRICS_PORT) and, when METRICS_ON_API_PORT is set, `GET /metrics` on the API
 * port for the platform's oversight. With neither setting nothing is registered, no observer
 * exists, and the hot paths skip every measurement.
 */
@Module({})
export class MetricsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Metrics');

  constructor(@Optional() private readonly listener?: MetricsListener) {}

  static forRoot(config: AppConfig): DynamicModule {
    if (!metricsEnabled(config)) return { module: MetricsModule };
    const port = config.METRICS_PORT;
    return {
      module: MetricsModule,
      global: true,
      imports: [DevicesModule],
      controllers: config.METRICS_ON_API_PORT ? [MetricsController] : [],
      providers: [
        { provide: ServiceMetrics, useFactory: () => new ServiceMetrics() },
        ...OBSERVER_PORTS.map((token) => ({ provide: token, useExisting: ServiceMetrics })),
        {
          provide: SCRAPE_GAUGES,
          inject: [
            ServiceMetrics,
            EVENT_STORE,
            ProjectionRunner,
            READ_MODEL_REGISTRY,
            DEVICE_SYNC_READ_MODEL,
            DEVICE_PROOF_VERIFIER,
          ],
          useFactory: (
            metrics: ServiceMetrics,
            store: EventStore,
            runner: ProjectionRunner,
            registry: ReadModelRegistry,
            deviceSync: DeviceSyncReadModel,
            proofs: DeviceProofVerifier,
          ) => {
            const lag = new ProjectionLag(store, runner, registry);
            registerScrapeGauges(metrics.registry, {
              projectionLag: () => lag.measure(),
              fleetSync: (now) => deviceSync.fleetSummary(now),
              replayCache: () => proofs.replayCacheFill(),
              now: () => new Date(),
            });
            return true;
          },
        },
        ...(port === undefined
          ? []
          : [
              {
                provide: MetricsListener,
                inject: [ServiceMetrics],
                useFactory: (metrics: ServiceMetrics) =>
                  new MetricsListener(metrics, config.METRICS_HOST, port),
              },
            ]),
      ],
      exports: [ServiceMetrics, ...OBSERVER_PORTS],
    };
  }

  /** Before the API port opens: a metrics port that cannot be had stops the start with one line. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.listener) return;
    await this.listener.start();
    this.logger.debug(`Metrics on ${this.listener.url()}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }
}
