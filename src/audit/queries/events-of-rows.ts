import type { EventStore, RecordedEvent } from '../../event-store/event-store.port';
import type { AuditRow } from './audit-read-model';

/**
 * Reads of one page in flight at once. A page of one party's acts touches up to one stream per
 * row (100 reads for a page of 100): one after the other, an EventStoreDB a millisecond away
 * answers the page in a tenth of a second; side by side, in a few round trips. The bound keeps
 * one page from taking every stream of the client's connection.
 */
export const CONCURRENT_READS = 16;

/** Rows `start` (inclusive) to `end` (exclusive): one stream's consecutive revisions. */
interface Run {
  start: number;
  end: number;
}

/**
 * The events of audit rows, read from the store (the rows only locate them): one read per run of
 * one stream's consecutive revisions, up to CONCURRENT_READS of them at once. The answer is in the
 * rows' order, undefined where the store no longer holds the event.
 */
export async function eventsOfRows(
  store: EventStore,
  rows: readonly AuditRow[],
): Promise<(RecordedEvent | undefined)[]> {
  const events = new Array<RecordedEvent | undefined>(rows.length).fill(undefined);
  const runs = runsOf(rows);
  let next = 0;
  const reader = async () => {
    while (next < runs.length) {
      const { start, end } = runs[next++];
      let read: RecordedEvent[];
      try {
        read = await store.readStream(rows[start].streamId, {
          fromRevision: rows[start].revision,
          maxCount: end - start,
        });
      } catch (error) {
        // The page fails with the first failed read: the other readers start no more.
        next = runs.length;
        throw error;
      }
      const byRevision = new Map(read.map((event) => [event.revision, event]));
      for (let index = start; index < end; index++)
        events[index] = byRevision.get(rows[index].revision);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_READS, runs.length) }, reader));
  return events;
}

function runsOf(rows: readonly AuditRow[]): Run[] {
  const runs: Run[] = [];
  for (let start = 0; start < rows.length;) {
    let end = start + 1;
    while (
      end < rows.length &&
      rows[end].streamId === rows[start].streamId &&
      rows[end].revision === rows[end - 1].revision + 1
    )
      end++;
    runs.push({ start, end });
    start = end;
  }
  return runs;
}
