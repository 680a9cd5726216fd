/** The event-store calls an observer hears of (subscriptions are long-lived and not timed). */
export type EventStoreOperation =
  'append' | 'readStream' | 'readAll' | 'backlogAfter' | 'headPosition';

/**
 * The event-store port's own port for whoever measures it (the metrics adapter), so both adapters
 * are measured in one place and neither knows a metrics library.
 */
export interface EventStoreObserver {
  /** An append answered (stored, or a retry deduplicated) after `seconds`. */
  appended(seconds: number): void;
  /** A call failed; `error` names the port's error (a closed set: see storeErrorName). */
  failed(operation: EventStoreOperation, error: string): void;
}

export const EVENT_STORE_OBSERVER = Symbol('EventStoreObserver');
