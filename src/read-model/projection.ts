import type { RecordedEvent } from '../event-store/event-store.port';

/**
 * A read model fed from the global order. `apply` runs inside the runner's transaction together
 * with the checkpoint, so it writes only to the read-model database it was built with. It sees
 * every event of the streams the contexts follow and ignores those it has no use for.
 */
export interface Projection {
  readonly name: string;
  apply(event: RecordedEvent): void;
}
