import type { CallOptions, Metadata } from '@grpc/grpc-js';
import {
  BACKWARDS,
  START,
  END,
  type EventStoreDBClient,
  type Filter,
  type Position,
  type ResolvedEvent,
  convertToCommandError,
} from '@eventstore/db-client';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';

/**
 * A bounded read of $all with a server-side filter.
 *
 * EventStoreDB has served filtered reads of $all since 20.6 (the Read RPC takes the same filter
 * options as a subscription), but the v6 Node client's `readAll` always sends "no filter". Rather
 * than fetch every event and filter here, we send the Read request ourselves through the client's
 * own `execute`, so its connection handling (reconnect on unavailable, leader discovery) stays in
 * charge. `execute` and `callArguments` are protected members of the client meant for its command
 * modules; the client package is pinned to v6 for this reason.
 */
interface ClientInternals {
  execute<T>(
    client: typeof StreamsClient,
    debugName: string,
    action: (client: StreamsClient) => Promise<T>,
  ): Promise<T>;
  callArguments(options: Record<string, never>, callOptions?: CallOptions): [Metadata, CallOptions];
}

export interface FilteredReadRequest {
  from: Position | typeof START | typeof END;
  direction?: 'forwards' | 'backwards';
  /** At most this many matching events (EventStoreDB keeps scanning until it has them or reaches the end). */
  count: number;
  filter: Filter;
}

export function readAllFiltered(
  client: EventStoreDBClient,
  request: FilteredReadRequest,
): Promise<ResolvedEvent[]> {
  const internals = client as unknown as ClientInternals;
  const req = new ReadReq().setOptions(toReadOptions(request));
  return internals.execute(StreamsClient, 'readAllFiltered', (grpcClient) => {
    return new Promise<ResolvedEvent[]>((resolve, reject) => {
      const events: ResolvedEvent[] = [];
      const call = grpcClient.read(req, ...internals.callArguments({}, { deadline: Infinity }));
      call.on('data', (response: ReadResp) => {
        if (response.hasEvent()) events.push(convertGrpcEvent<ResolvedEvent>(response.getEvent()!));
      });
      call.on('error', (error) => reject(convertToCommandError(error)));
      call.on('end', () => resolve(events));
    });
  });
}

function toReadOptions({
  from,
  direction = 'forwards',
  count,
  filter,
}: FilteredReadRequest): ReadReq.Options {
  const all = new ReadReq.Options.AllOptions();
  if (from === START) all.setStart(new Empty());
  else if (from === END) all.setEnd(new Empty());
  else
    all.setPosition(
      new ReadReq.Options.Position()
        .setCommitPosition(from.commit.toString())
        .setPreparePosition(from.prepare.toString()),
    );

  const expression = new ReadReq.Options.FilterOptions.Expression();
  if ('regex' in filter) expression.setRegex(filter.regex);
  if ('prefixes' in filter) expression.setPrefixList(filter.prefixes);
  const filterOptions = new ReadReq.Options.FilterOptions();
  if (filter.filterOn === 'streamName') filterOptions.setStreamIdentifier(expression);
  else filterOptions.setEventType(expression);
  // "count" window: the server scans in windows of `count` events until it has `count` matches.
  filterOptions.setCount(new Empty());
  filterOptions.setCheckpointintervalmultiplier(1);

  return new ReadReq.Options()
    .setAll(all)
    .setReadDirection(
      direction === BACKWARDS
        ? ReadReq.Options.ReadDirection.BACKWARDS
        : ReadReq.Options.ReadDirection.FORWARDS,
    )
    .setResolveLinks(false)
    .setCount(String(count))
    .setFilter(filterOptions)
    .setUuidOption(new ReadReq.Options.UUIDOption().setString(new Empty()));
}
