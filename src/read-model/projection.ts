import type { RecordedEvent } from '../event-store/event-store.port';

/**
 * A read model fed from the global order. `apply` runs inside the runner's transaction together
 * with the checkpoint, so it writes only to the read-model database it was built with. It sees
 * every event of the streams the contexts follow and ignores those it has no use for.
 */
export interface Projection {
  readonly name: string;
  apply(event: RecordedEvent): void;
  /** End of a batch, still inside its transaction: write what `apply` kept back (a row once per batch). */
  flush?(): void;
  /** The batch's transaction committed: what was written is now durable. */
  committed?(): void;
  /**
   * Forget anything kept in memory: the batch rolled back (its events come again) or the read
   * model was emptied for a replay.
   */
  forget?(): void;
}
