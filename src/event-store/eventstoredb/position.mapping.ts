import type { Position } from '@eventstore/db-client';

/**
 * The port's position is EventStoreDB's commit position in $all.
 *
 * To read or subscribe from a port position we need the client's { commit, prepare } pair; we build
 * it with both parts equal to the commit position. That is exact for every event written through
 * the gRPC API: since EventStoreDB 20 an append is written as prepare records that are committed
 * on their own (no separate commit record), so each event's commit and prepare positions are the
 * same log position. Only events written in an explicit multi-request transaction (legacy TCP API)
 * differ, and this service never writes those.
 */
export function toClientPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

export function fromClientPosition(position: Position): bigint {
  return position.commit;
}
