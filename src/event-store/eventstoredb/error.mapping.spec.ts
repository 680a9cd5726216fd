import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  AccessDeniedError,
  DeadlineExceededError,
  NotLeaderError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import { toPortError } from './error.mapping';

function serviceError(code: status, entries: Record<string, string> = {}): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return Object.assign(new Error(`${code} test`), { code, details: 'test', metadata });
}

describe('client errors as port errors', () => {
  const append = { streamId: 'battery-1', expected: 3 as const };

  it('maps a wrong expected version onto the port, with the actual revision', () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'battery-1',
      expected: 3n,
      current: 5n,
    });
    const mapped = toPortError(error, append);
    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ streamId: 'battery-1', expected: 3, actual: 5 });
  });

  it('reports no actual revision when the stream does not exist (either way servers say it)', () => {
    const noStream = new WrongExpectedVersionError(undefined, {
      streamName: 'battery-1',
      expected: 3n,
      current: 'no_stream',
    });
    expect(toPortError(noStream, append)).toMatchObject({ actual: undefined });
    const legacy = serviceError(status.FAILED_PRECONDITION, {
      exception: 'wrong-expected-version',
      'stream-name': 'battery-1',
      'expected-version': '3',
      'actual-version': '-1',
    });
    expect(toPortError(legacy, append)).toMatchObject({ actual: undefined });
  });

  it.each([
    ['unavailable', new UnavailableError()],
    ['deadline exceeded', new DeadlineExceededError()],
    [
      'not leader',
      new NotLeaderError(
        serviceError(status.NOT_FOUND, {
          'leader-endpoint-host': 'node2',
          'leader-endpoint-port': '2113',
        }),
      ),
    ],
    ['a raw UNAVAILABLE status', serviceError(status.UNAVAILABLE)],
    ['a call cancelled by the server', serviceError(status.CANCELLED)],
    ['cluster discovery giving up', new Error('Failed to discover after 10 attempts.')],
  ])('maps %s to EventStoreUnavailableError', (_name, error) => {
    expect(toPortError(error)).toBeInstanceOf(EventStoreUnavailableError);
  });

  it('passes other errors through', () => {
    expect(toPortError(new AccessDeniedError())).toBeInstanceOf(AccessDeniedError);
    expect(toPortError(new StreamNotFoundError(undefined, 'x'))).toBeInstanceOf(
      StreamNotFoundError,
    );
    const plain = new TypeError('bug');
    expect(toPortError(plain)).toBe(plain);
  });
});
