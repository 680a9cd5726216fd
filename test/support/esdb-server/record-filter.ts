import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { LogRecord } from './in-memory-log';

/**
 * The server-side filter of a read or subscription on $all: on the stream name or the event type,
 * either a regular expression or a list of prefixes (EventStoreDB uses the regex when it is set).
 */
export type RecordFilter = (record: LogRecord) => boolean;

export function toRecordFilter(options: ReadReq.Options): RecordFilter | undefined {
  if (!options.hasFilter()) return undefined;
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const field = (record: LogRecord) => (onStream ? record.streamId : record.type);
  const regex = expression.getRegex();
  if (regex) {
    const pattern = new RegExp(regex);
    return (record) => pattern.test(field(record));
  }
  const prefixes = expression.getPrefixList();
  return (record) => prefixes.some((prefix) => field(record).startsWith(prefix));
}

/** How many records a filtered subscription scans between two checkpoints. */
export function checkpointInterval(options: ReadReq.Options): number {
  const filter = options.getFilter();
  if (!filter) return Number.POSITIVE_INFINITY;
  // EventStoreDB's default search window is 32 events; the interval is window × multiplier.
  const window = filter.hasMax() ? filter.getMax() : 32;
  return Math.max(1, window * Math.max(1, filter.getCheckpointintervalmultiplier()));
}
