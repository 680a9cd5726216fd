import { streamNameFilter, type Filter } from '@eventstore/db-client';

/**
 * Which streams the port shows. EventStoreDB's $all also holds system streams ("$..."), and this
 * adapter writes event-id claim streams (see event-id-claims.ts); neither is a port event.
 */
export const CLAIM_STREAM_PREFIX = '_event-id-';

/** .NET and JavaScript regex: any stream that is neither a system stream nor a claim stream. */
const PORT_STREAMS_REGEX = `^(?!\\$|${CLAIM_STREAM_PREFIX})`;

export interface StreamSelection {
  /** The server-side filter for reads and subscriptions on $all. */
  filter: Filter;
  /** The same rule on this side, for prefixes that would also let internal streams through (e.g. ''). */
  accepts(streamId: string): boolean;
}

export function selectStreams(prefixes: readonly string[] | undefined): StreamSelection {
  const isPortStream = (streamId: string) => !streamId.startsWith('$') && !streamId.startsWith(CLAIM_STREAM_PREFIX);
  if (prefixes === undefined) {
    return { filter: streamNameFilter({ regex: PORT_STREAMS_REGEX }), accepts: isPortStream };
  }
  if (prefixes.length === 0) {
    // No prefix, no stream (as in the embedded store); "(?!)" matches nothing.
    return { filter: streamNameFilter({ regex: '(?!)' }), accepts: () => false };
  }
  return {
    filter: streamNameFilter({ prefixes: [...prefixes] }),
    accepts: (streamId) => isPortStream(streamId) && prefixes.some((prefix) => streamId.startsWith(prefix)),
  };
}
