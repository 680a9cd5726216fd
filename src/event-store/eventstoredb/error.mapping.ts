import {
  ErrorType,
  WrongExpectedVersionError,
  convertToCommandError,
  isCommandError,
} from '@eventstore/db-client';
import { status } from '@grpc/grpc-js';
import type { ExpectedRevision } from '../event-store.port';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';

/** Client errors that mean "the store is not there right now": worth a retry later, not a bug. */
const UNAVAILABLE_TYPES = new Set<string>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  // The server (not this process) cancelled the call: it is shutting down or dropped the connection.
  ErrorType.CANCELLED,
]);

const UNAVAILABLE_GRPC_CODES = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.CANCELLED,
  status.ABORTED,
]);

export interface AppendContext {
  streamId: string;
  expected: ExpectedRevision;
}

/** Maps what the client throws onto the port's errors; anything else is passed through unchanged. */
export function toPortError(error: unknown, append?: AppendContext): unknown {
  const converted = error instanceof Error ? convertToCommandError(error) : error;
  if (append && converted instanceof WrongExpectedVersionError) {
    return new WrongExpectedRevisionError(
      append.streamId,
      append.expected,
      toActualRevision(converted.actualVersion),
    );
  }
  if (isUnavailable(converted)) {
    return new EventStoreUnavailableError(
      `EventStoreDB is unavailable: ${(converted as Error).message}`,
      error,
    );
  }
  return converted;
}

export function isUnavailable(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  if (isCommandError(error)) return UNAVAILABLE_TYPES.has(error.type);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && UNAVAILABLE_GRPC_CODES.has(code)) return true;
  // Cluster discovery gives up with a plain Error when no node answers.
  return /^Failed to discover after \d+ attempts/.test(error.message);
}

/** The client reports the stream's current revision as a bigint, or 'no_stream' (older servers: -1). */
function toActualRevision(actual: WrongExpectedVersionError['actualVersion']): number | undefined {
  if (typeof actual !== 'bigint' || actual < 0n) return undefined;
  return Number(actual);
}
