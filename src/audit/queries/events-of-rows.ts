import type { EventStore, RecordedEvent } from '../../event-store/event-store.port';
import type { AuditRow } from './audit-read-model';

/**
 * The events of audit rows, read from the store (the rows do not keep the data): one read per run
 * of one stream's consecutive revisions, by event id. An event the store no longer holds is absent.
 */
export async function eventsOfRows(
  store: EventStore,
  rows: readonly AuditRow[],
): Promise<Map<string, RecordedEvent>> {
  const byId = new Map<string, RecordedEvent>();
  for (let start = 0; start < rows.length;) {
    let end = start + 1;
    while (
      end < rows.length &&
      rows[end].streamId === rows[start].streamId &&
      rows[end].revision === rows[end - 1].revision + 1
    )
      end++;
    const events = await store.readStream(rows[start].streamId, {
      fromRevision: rows[start].revision,
      maxCount: end - start,
    });
    for (const event of events) byId.set(event.id, event);
    start = end;
  }
  return byId;
}
