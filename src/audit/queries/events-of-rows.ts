import type { EventStore, RecordedEvent } from '../../event-store/event-store.port';
import type { AuditRow } from './audit-read-model';

/**
 * The events of audit rows, read from the store (the rows only locate them): one read per run of
 * one stream's consecutive revisions. The answer is in the rows' order, undefined where the
 * store no longer holds the event.
 */
export async function eventsOfRows(
  store: EventStore,
  rows: readonly AuditRow[],
): Promise<(RecordedEvent | undefined)[]> {
  const events: (RecordedEvent | undefined)[] = [];
  for (let start = 0; start < rows.length;) {
    let end = start + 1;
    while (
      end < rows.length &&
      rows[end].streamId === rows[start].streamId &&
      rows[end].revision === rows[end - 1].revision + 1
    )
      end++;
    const read = await store.readStream(rows[start].streamId, {
      fromRevision: rows[start].revision,
      maxCount: end - start,
    });
    const byRevision = new Map(read.map((event) => [event.revision, event]));
    for (let index = start; index < end; index++) events.push(byRevision.get(rows[index].revision));
    start = end;
  }
  return events;
}
