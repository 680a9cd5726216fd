/**
 * Which leaf of the audit log (docs/audit-log.md) an event is. The audit log owns the answer; the
 * views that name leaves (history, audit, bundles) depend on this port only, so no context has to
 * know the log's tables, and the log can depend on them (it reads their authorization rules).
 */
export interface LeafIndexLookup {
  /** The event's leaf, or undefined while the log has not recorded it. */
  leafIndexOf(eventId: string): number | undefined;
  /** The last leaf at or before a store position, or undefined when the log holds none there. */
  leafIndexAtOrBefore(position: bigint): number | undefined;
}

export const LEAF_INDEX_LOOKUP = Symbol('LeafIndexLookup');
