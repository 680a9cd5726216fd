import type { Actor, RecordedActor } from '../../shared/domain/actor';
import { hasOversight } from '../../shared/domain/oversight';

/**
 * Whether a caller may read a leaf's text: the audit view's rule (src/audit/queries/audit.query.ts)
 * — the platform's auditors and administrators see every party's events, anyone else the events
 * their own party's people recorded. Everyone may see every leaf's hash: it reveals nothing.
 */
export function mayReadLeaf(caller: Actor, recordedBy: RecordedActor | undefined): boolean {
  if (hasOversight(caller)) return true;
  return recordedBy !== undefined && recordedBy.partyId === caller.partyId;
}
