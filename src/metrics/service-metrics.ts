import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { RateLimitObserver, RateLimitScope } from '../auth/rate-limit-observer';
import type { BundleSigningObserver } from '../bundles/application/bundle-signing-observer';
import type { CommandObserver } from '../command-handling/command-observer';
import type { CommandResult } from '../command-handling/command-result';
import type { EventStoreObserver, EventStoreOperation } from '../event-store/event-store-observer';

/** Every metric of the service starts with this (process and Node.js defaults keep their names). */
export const METRIC_PREFIX = 'battery_keys_';

/** Seconds: from a 304 answered in well under a millisecond to a long poll held for a minute. */
const REQUEST_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
/** Seconds: an fsync'd SQLite commit, a quorum write to KurrentDB, an HSM round trip. */
const STORE_AND_SIGNER_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/** Where a bundle was served: the person-facing route, or the device route a battery pulls. */
export type BundleCaller = 'person' | 'device';

/**
 * The counters and histograms the hot paths feed, in one registry per application instance (not
 * prom-client's global one, so two apps in one process never share figures). Each is updated with
 * a label lookup and an addition: no allocation beyond what prom-client needs, no I/O. The figures
 * computed when Prometheus scrapes (lag, fleet sync, replay cache) are in scrape-gauges.ts.
 *
 * Labels are closed sets: route templates (never raw URLs), command types, problem codes, error
 * names. The README's metrics table documents each metric.
 */
export class ServiceMetrics
  implements CommandObserver, EventStoreObserver, BundleSigningObserver, RateLimitObserver
{
  readonly registry = new Registry();

  private readonly requests = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by method, route template and status code: latency, and by _count the rate',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  private readonly commands = new Counter({
    name: `${METRIC_PREFIX}commands_total`,
    help: 'Commands by type and result (applied, unchanged, replayed, refused, conflict, failed); code is the problem code of a refusal, conflict or failure',
    labelNames: ['command', 'result', 'code'] as const,
    registers: [this.registry],
  });

  private readonly appends = new Histogram({
    name: `${METRIC_PREFIX}event_store_append_duration_seconds`,
    help: 'Event-store appends that answered (stored or deduplicated), by latency',
    buckets: STORE_AND_SIGNER_BUCKETS,
    registers: [this.registry],
  });

  private readonly storeErrors = new Counter({
    name: `${METRIC_PREFIX}event_store_errors_total`,
    help: 'Failed event-store calls by operation and error (wrong-expected-revision is a lost race the command path retries)',
    labelNames: ['operation', 'error'] as const,
    registers: [this.registry],
  });

  private readonly bundlesSigned = new Counter({
    name: `${METRIC_PREFIX}bundles_signed_total`,
    help: 'Key bundles signed (once per version and half lifetime, on the first pull that needs the body)',
    registers: [this.registry],
  });

  private readonly signing = new Histogram({
    name: `${METRIC_PREFIX}bundle_signing_duration_seconds`,
    help: 'Time the signer took per bundle (key file or HSM)',
    buckets: STORE_AND_SIGNER_BUCKETS,
    registers: [this.registry],
  });

  private readonly bundlesServed = new Counter({
    name: `${METRIC_PREFIX}bundles_served_total`,
    help: 'Bundle pulls answered 200 (a body) or 304 (unchanged), by caller (person token or device proof)',
    labelNames: ['caller', 'status_code'] as const,
    registers: [this.registry],
  });

  private readonly rateLimited = new Counter({
    name: `${METRIC_PREFIX}rate_limit_refusals_total`,
    help: 'Requests refused with 429, by what they were counted on (client address, person, device)',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Series that exist from the start, so rate() and absent() work before the first event.
    for (const caller of ['person', 'device'] as const)
      for (const status of ['200', '304'])
        this.bundlesServed.inc({ caller, status_code: status }, 0);
    for (const scope of ['address', 'person', 'device'] as const)
      this.rateLimited.inc({ scope }, 0);
  }

  requestAnswered(method: string, route: string, statusCode: number, seconds: number): void {
    this.requests.observe({ method, route, status_code: statusCode }, seconds);
  }

  bundleServed(caller: BundleCaller, statusCode: 200 | 304): void {
    this.bundlesServed.inc({ caller, status_code: statusCode });
  }

  commandEnded(command: string, result: CommandResult, code: string): void {
    this.commands.inc({ command, result, code });
  }

  appended(seconds: number): void {
    this.appends.observe(seconds);
  }

  failed(operation: EventStoreOperation, error: string): void {
    this.storeErrors.inc({ operation, error });
  }

  bundleSigned(seconds: number): void {
    this.bundlesSigned.inc();
    this.signing.observe(seconds);
  }

  refused(scope: RateLimitScope): void {
    this.rateLimited.inc({ scope });
  }

  /** The exposition text and its media type, for either listener. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
