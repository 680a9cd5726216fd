import { streamNameFilter, type Filter } from '@eventstore/db-client';

/** Which streams the port shows: EventStoreDB's $all also holds system streams ("$..."), which are not port events. */

/** .NET and JavaScript regex: any stream that is not a system stream. */
const PORT_STREAMS_REGEX = '^(?!\\$)';

export interface StreamSelection {
  /** The server-side filter for reads and subscriptions on $all. */
  filter: Filter;
  /** The same rule on this side, for prefixes that would also let internal streams through (e.g. ''). */
  accepts(streamId: string): boolean;
}

export function selectStreams(prefixes: readonly string[] | undefined): StreamSelection {
  const isPortStream = (streamId: string) => !streamId.startsWith('$');
  if (prefixes === undefined) {
    return { filter: streamNameFilter({ regex: PORT_STREAMS_REGEX }), accepts: isPortStream };
  }
  if (prefixes.length === 0) {
    // No prefix, no stream (as in the embedded store); "(?!)" matches nothing.
    return { filter: streamNameFilter({ regex: '(?!)' }), accepts: () => false };
  }
  return {
    filter: streamNameFilter({ prefixes: [...prefixes] }),
    accepts: (streamId) =>
      isPortStream(streamId) && prefixes.some((prefix) => streamId.startsWith(prefix)),
  };
}
