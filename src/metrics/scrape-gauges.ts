import { Gauge, type Registry } from 'prom-client';
import type { FleetSyncSummary } from '../devices/queries/device-sync-read-model';
import type { ProjectionLagFigures } from './projection-lag';
import { METRIC_PREFIX } from './service-metrics';

/** Where the figures computed at scrape time come from (all cheap; see each source). */
export interface ScrapeSources {
  projectionLag(): Promise<ProjectionLagFigures | undefined>;
  fleetSync(now: Date): FleetSyncSummary;
  replayCache(): { entries: number; capacity: number };
  now(): Date;
}

/**
 * Gauges whose value is computed when Prometheus scrapes (prom-client's `collect`), never on a
 * request: read-model lag, the fleet's sync and exposure, the device replay cache. Each scrape
 * asks the store for the lag once, shared by both lag gauges.
 */
export function registerScrapeGauges(registry: Registry, sources: ScrapeSources): void {
  let lag: Promise<ProjectionLagFigures | undefined> | undefined;
  /** One store look-up per scrape: the first lag gauge starts it, the second reuses it. */
  const lagOnce = () => {
    lag ??= sources.projectionLag().finally(() => setImmediate(() => (lag = undefined)));
    return lag;
  };
  const lagGauge = (name: string, help: string, pick: (figures: ProjectionLagFigures) => number) =>
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const figures = await lagOnce();
        if (!figures) return;
        for (const projection of figures.projections) this.set({ projection }, pick(figures));
      },
    });
  lagGauge(
    'projection_lag_events',
    'Events of the store the read model has yet to apply, per projection (counted up to 10,000; absent while the store does not answer)',
    (figures) => figures.events,
  );
  lagGauge(
    'projection_lag_seconds',
    'Age of the oldest event the read model has yet to apply, per projection (0 when caught up)',
    (figures) => figures.seconds,
  );

  // The three fleet gauges read one summary per scrape as well (its two statements are the cost).
  let fleet: FleetSyncSummary | undefined;
  const fleetOnce = () => {
    if (!fleet) {
      fleet = sources.fleetSync(sources.now());
      setImmediate(() => (fleet = undefined));
    }
    return fleet;
  };
  new Gauge({
    name: `${METRIC_PREFIX}devices_lagging`,
    help: 'Batteries whose device has not acknowledged the bundle version served now',
    registers: [registry],
    collect() {
      this.set(fleetOnce().lagging);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}devices_exposed_to_revoked_keys`,
    help: 'Batteries whose device may still honour a revoked key (its applied bundle lists it, or it never acknowledged one)',
    registers: [registry],
    collect() {
      this.set(fleetOnce().exposedBatteries);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}revoked_key_exposure_oldest_seconds`,
    help: 'How long the longest-exposed revoked key has been revoked while still live on a device (0 when none is)',
    registers: [registry],
    collect() {
      const since = fleetOnce().oldestExposureSince;
      this.set(since ? Math.max(0, (sources.now().getTime() - since.getTime()) / 1000) : 0);
    },
  });

  new Gauge({
    name: `${METRIC_PREFIX}device_replay_cache_entries`,
    help: 'Device proof ids remembered against replay now',
    registers: [registry],
    collect() {
      this.set(sources.replayCache().entries);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}device_replay_cache_capacity`,
    help: 'Proof ids the replay cache holds at most (DEVICE_REPLAY_CACHE_ENTRIES); when full, device requests get 503',
    registers: [registry],
    collect() {
      this.set(sources.replayCache().capacity);
    },
  });
}
