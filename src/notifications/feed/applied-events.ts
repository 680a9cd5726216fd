import type { EventStore, RecordedEvent } from '../../event-store/event-store.port';
import type { ProjectionRunner } from '../../read-model/projection-runner';
import type { ReadModelRegistry } from '../../read-model/read-model-registry';

/**
 * The store's events in global order, but only as far as this instance's read model has applied
 * them. Both the change feed and the webhook dispatcher decide with the read model (may this
 * caller read that battery, which endpoints were live), so they never look at an event the read
 * model has not reached: one cursor, catch-up and live alike, and nothing can turn up behind it.
 */
export class AppliedEvents {
  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly registry: ReadModelRegistry,
  ) {}

  /** Where the read model stands now: `?after=now`. */
  appliedPosition(): bigint {
    return this.runner.currentStatus().position;
  }

  /** Waits up to `waitMs` until the read model has applied something after `position`. */
  async waitBeyond(position: bigint, waitMs: number): Promise<void> {
    await this.runner.waitFor(position + 1n, waitMs);
  }

  /**
   * Up to `max` events after `after` that the read model has applied; waits up to `waitMs` for
   * one when there is none yet, and answers an empty batch if none came.
   */
  async after(after: bigint, max: number, waitMs: number): Promise<RecordedEvent[]> {
    if (this.appliedPosition() <= after) {
      const reached = await this.runner.waitFor(after + 1n, waitMs);
      if (!reached) return [];
    }
    const applied = this.appliedPosition();
    const events = await this.store.readAll({
      after,
      maxCount: max,
      streamPrefixes: this.registry.streamPrefixes,
    });
    const ready = events.filter((event) => event.position <= applied);
    // Only if the store and the read model disagree on the streams followed; never spin on it.
    if (ready.length === 0) await this.runner.waitFor(applied + 1n, waitMs);
    return ready;
  }
}
