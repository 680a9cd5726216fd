import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { EventStore } from '../event-store/event-store.port';
import type { ProjectionRunner } from '../read-model/projection-runner';
import type { ReadModelRegistry } from '../read-model/read-model-registry';
import { within } from '../health/readiness';

/** Events behind are counted up to this many (positions are not dense, so they are read, not subtracted). */
export const LAG_EVENTS_COUNTED_UP_TO = 10_000;
/** A scrape does not wait longer than this on the store; the lag series are then left out. */
const STORE_TIMEOUT_MS = 2000;

export interface ProjectionLagFigures {
  /** The projections behind the runner, all at its one checkpoint. */
  projections: readonly string[];
  /** Events of this service's streams the read model has yet to apply (at most LAG_EVENTS_COUNTED_UP_TO). */
  events: number;
  /** How long ago the oldest of them was recorded; 0 when none waits. */
  seconds: number;
}

/**
 * How far the read model is behind the store's head, measured when Prometheus scrapes: the
 * store's head and, only when the read model is behind it, the events it has yet to apply (read
 * up to a bound). Every projection is applied in the runner's one transaction with one
 * checkpoint, so they share the figures. The store calls are kept out of traces: a scrape every
 * 15 s would otherwise be most of them.
 */
export class ProjectionLag {
  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly registry: ReadModelRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The figures, or undefined when the store does not answer in time. */
  async measure(): Promise<ProjectionLagFigures | undefined> {
    const projections = this.registry.projections.map((projection) => projection.name);
    const position = this.runner.currentStatus().position;
    try {
      return await context.with(suppressTracing(context.active()), async () => {
        const head = await within(this.store.headPosition(), STORE_TIMEOUT_MS);
        if (head === undefined || head <= position) return { projections, events: 0, seconds: 0 };
        const waiting = await within(
          this.store.readAll({
            after: position,
            maxCount: LAG_EVENTS_COUNTED_UP_TO,
            streamPrefixes: this.registry.streamPrefixes,
          }),
          STORE_TIMEOUT_MS,
        );
        const oldest = waiting[0]?.recordedAt;
        const seconds =
          oldest === undefined ? 0 : Math.max(0, (this.now().getTime() - oldest.getTime()) / 1000);
        return { projections, events: waiting.length, seconds };
      });
    } catch {
      // The store's own failure is counted by the event-store metrics; no lag figure beats a wrong one.
      return undefined;
    }
  }
}
