import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import type { IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import {
  AllStreamPosition,
  Empty,
  StreamIdentifier,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import {
  EXPECTED_ANY,
  EXPECTED_NO_STREAM,
  EXPECTED_STREAM_EXISTS,
  type AppendOutcome,
  type ExpectedVersion,
  type InMemoryLog,
  type LogRecord,
  type ProposedEvent,
} from './in-memory-log';
import { checkpointInterval, toRecordFilter, type RecordFilter } from './record-filter';

/** google.rpc.Code.FAILED_PRECONDITION, the code EventStoreDB puts on a batch append's wrong expected version. */
const FAILED_PRECONDITION = 9;

type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;

/** The `event_store.client.streams.Streams` service of the test double: Read, Append and BatchAppend. */
export function createStreamsService(log: InMemoryLog): IStreamsServer {
  return {
    read(call: ReadCall) {
      serveRead(log, call).catch((error: unknown) => {
        if (!call.cancelled) call.destroy(error as Error);
      });
    },

    append(
      call: grpc.ServerReadableStream<AppendReq, AppendResp>,
      callback: grpc.sendUnaryData<AppendResp>,
    ) {
      let options: AppendReq.Options | undefined;
      const events: ProposedEvent[] = [];
      let failed = false;
      call.on('data', (request: AppendReq) => {
        if (failed) return;
        try {
          if (request.hasOptions()) options = request.getOptions();
          else events.push(toProposedEvent(request.getProposedMessage()!));
        } catch (error) {
          failed = true;
          callback(error as grpc.ServiceError);
        }
      });
      call.on('error', () => undefined);
      call.on('end', () => {
        if (failed) return;
        if (!options)
          return callback({
            code: grpc.status.INVALID_ARGUMENT,
            details: 'Append without options',
          });
        const streamId = streamName(options.getStreamIdentifier());
        const expected = classicExpectedVersion(options);
        callback(null, toAppendResp(log.append(streamId, expected, events), expected));
      });
    },

    batchAppend(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) {
      const pending = new Map<
        string,
        { options: BatchAppendReq.Options; events: ProposedEvent[] }
      >();
      call.on('data', (request: BatchAppendReq) => {
        const correlationId = uuidString(request.getCorrelationId());
        let batch = pending.get(correlationId);
        if (!batch) {
          batch = { options: request.getOptions()!, events: [] };
          pending.set(correlationId, batch);
        }
        for (const message of request.getProposedMessagesList())
          batch.events.push(toProposedEvent(message));
        if (!request.getIsFinal()) return;
        pending.delete(correlationId);
        const streamId = streamName(batch.options.getStreamIdentifier());
        const expected = batchExpectedVersion(batch.options);
        const outcome = log.append(streamId, expected, batch.events);
        call.write(
          toBatchAppendResp(request.getCorrelationId()!, batch.options, outcome, expected),
        );
      });
      call.on('error', () => undefined);
      call.on('end', () => call.end());
    },

    delete(_call, callback) {
      callback({
        code: grpc.status.UNIMPLEMENTED,
        details: 'Not part of the test double',
      });
    },

    tombstone(_call, callback) {
      callback({
        code: grpc.status.UNIMPLEMENTED,
        details: 'Not part of the test double',
      });
    },
  };
}

async function serveRead(log: InMemoryLog, call: ReadCall): Promise<void> {
  const options = call.request.getOptions()!;
  if (options.hasSubscription()) {
    if (!options.hasAll())
      throw Object.assign(new Error('Stream subscriptions are not part of the test double'), {
        code: grpc.status.UNIMPLEMENTED,
      });
    return subscribeToAll(log, call, options);
  }
  const count = Number(
    BigInt(options.getCount()) > BigInt(Number.MAX_SAFE_INTEGER)
      ? Number.MAX_SAFE_INTEGER
      : options.getCount(),
  );
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const writer = new ResponseWriter(call);
  if (options.hasStream()) await readStream(log, writer, options.getStream()!, count, backwards);
  else await readAll(log, writer, options, count, backwards);
  if (!call.cancelled) call.end();
}

async function readStream(
  log: InMemoryLog,
  writer: ResponseWriter,
  stream: ReadReq.Options.StreamOptions,
  count: number,
  backwards: boolean,
) {
  const streamId = streamName(stream.getStreamIdentifier());
  const indexes = log.streamRecords(streamId);
  if (!indexes) {
    const notFound = new ReadResp.StreamNotFound();
    notFound.setStreamIdentifier(stream.getStreamIdentifier());
    await writer.write(new ReadResp().setStreamNotFound(notFound));
    return;
  }
  let revision: number;
  if (stream.hasStart()) revision = backwards ? -1 : 0;
  else if (stream.hasEnd()) revision = backwards ? indexes.length - 1 : indexes.length;
  else revision = Number(stream.getRevision());
  const step = backwards ? -1 : 1;
  for (
    let sent = 0;
    sent < count && revision >= 0 && revision < indexes.length;
    sent++, revision += step
  ) {
    if (!(await writer.write(eventResp(log.records[indexes[revision]])))) return;
  }
}

async function readAll(
  log: InMemoryLog,
  writer: ResponseWriter,
  options: ReadReq.Options,
  count: number,
  backwards: boolean,
) {
  const all = options.getAll()!;
  const filter = toRecordFilter(options);
  // Forwards from a position includes the event at it; backwards from a position starts before it.
  let index: number;
  if (all.hasStart()) index = backwards ? -1 : 0;
  else if (all.hasEnd()) index = backwards ? log.records.length - 1 : log.records.length;
  else {
    const at = log.indexAtOrAfter(Number(all.getPosition()!.getCommitPosition()));
    index = backwards ? at - 1 : at;
  }
  const step = backwards ? -1 : 1;
  let sent = 0;
  for (; sent < count && index >= 0 && index < log.records.length; index += step) {
    const record = log.records[index];
    if (filter && !filter(record)) continue;
    if (!(await writer.write(eventResp(record)))) return;
    sent++;
  }
}

/**
 * A catch-up subscription: confirmation, then every stored event after the start point, then live
 * events as they are appended. Filtered subscriptions also get checkpoints, like from the server.
 */
async function subscribeToAll(
  log: InMemoryLog,
  call: ReadCall,
  options: ReadReq.Options,
): Promise<void> {
  const writer = new ResponseWriter(call);
  const confirmation = new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
  if (!(await writer.write(new ReadResp().setConfirmation(confirmation)))) return;

  const all = options.getAll()!;
  let index: number;
  if (all.hasStart()) index = 0;
  else if (all.hasEnd()) index = log.records.length;
  // A subscription starts strictly after the given position.
  else index = log.indexAtOrAfter(Number(all.getPosition()!.getCommitPosition()) + 1);

  const filter: RecordFilter | undefined = toRecordFilter(options);
  const interval = checkpointInterval(options);
  let scannedSinceCheckpoint = 0;
  let caughtUpSent = false;
  while (!call.cancelled) {
    while (index < log.records.length) {
      const record = log.records[index++];
      if (!filter || filter(record)) {
        if (!(await writer.write(eventResp(record)))) return;
      }
      if (filter && ++scannedSinceCheckpoint >= interval) {
        scannedSinceCheckpoint = 0;
        const checkpoint = new ReadResp.Checkpoint()
          .setCommitPosition(String(record.position))
          .setPreparePosition(String(record.position));
        if (!(await writer.write(new ReadResp().setCheckpoint(checkpoint)))) return;
      }
    }
    if (!caughtUpSent) {
      caughtUpSent = true;
      if (!(await writer.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp())))) return;
    }
    await new Promise<void>((resolve) => {
      const unsubscribe = log.onAppended(done);
      call.once('cancelled', done);
      function done() {
        unsubscribe();
        call.off('cancelled', done);
        resolve();
      }
    });
  }
}

/** Writes with backpressure; answers false once the call is cancelled (client gone or server stopping). */
class ResponseWriter {
  constructor(private readonly call: ReadCall) {}

  async write(message: ReadResp): Promise<boolean> {
    if (this.call.cancelled) return false;
    if (this.call.write(message)) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.call.off('drain', done);
        this.call.off('cancelled', done);
        resolve();
      };
      this.call.on('drain', done);
      this.call.on('cancelled', done);
    });
    return !this.call.cancelled;
  }
}

function eventResp(record: LogRecord): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(new UUID().setString(record.id));
  recorded.setStreamIdentifier(
    new StreamIdentifier().setStreamName(Buffer.from(record.streamId, 'utf8')),
  );
  recorded.setStreamRevision(String(record.revision));
  recorded.setCommitPosition(String(record.position));
  recorded.setPreparePosition(String(record.position));
  const metadata = recorded.getMetadataMap();
  metadata.set('type', record.type);
  metadata.set('content-type', record.contentType);
  metadata.set('created', String(record.created));
  recorded.setData(record.data);
  recorded.setCustomMetadata(record.metadata);
  const event = new ReadResp.ReadEvent()
    .setEvent(recorded)
    .setCommitPosition(String(record.position));
  return new ReadResp().setEvent(event);
}

function toProposedEvent(
  message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage,
): ProposedEvent {
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  if (!type || !contentType) {
    const trailers = new grpc.Metadata();
    trailers.set('exception', 'missing-required-metadata-property');
    trailers.set('required-metadata-properties', 'type,content-type');
    throw Object.assign(new Error('Missing required metadata property'), {
      code: grpc.status.INVALID_ARGUMENT,
      details: 'Missing required metadata property',
      metadata: trailers,
    });
  }
  return {
    id: uuidString(message.getId()),
    type,
    contentType,
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

function classicExpectedVersion(options: AppendReq.Options): ExpectedVersion {
  if (options.hasNoStream()) return EXPECTED_NO_STREAM;
  if (options.hasStreamExists()) return EXPECTED_STREAM_EXISTS;
  if (options.hasAny()) return EXPECTED_ANY;
  return Number(options.getRevision());
}

function batchExpectedVersion(options: BatchAppendReq.Options): ExpectedVersion {
  if (options.hasNoStream()) return EXPECTED_NO_STREAM;
  if (options.hasStreamExists()) return EXPECTED_STREAM_EXISTS;
  if (options.hasAny()) return EXPECTED_ANY;
  return Number(options.getStreamPosition());
}

/** The classic Append answers a wrong expected version in the response body (EventStoreDB 20.6.1+). */
function toAppendResp(outcome: AppendOutcome, expected: ExpectedVersion): AppendResp {
  const response = new AppendResp();
  if (outcome.kind === 'wrong-expected-version') {
    const wrong = new AppendResp.WrongExpectedVersion();
    if (outcome.currentRevision === undefined) wrong.setCurrentNoStream(new Empty());
    else wrong.setCurrentRevision(String(outcome.currentRevision));
    if (expected === EXPECTED_NO_STREAM) wrong.setExpectedNoStream(new Empty());
    else if (expected === EXPECTED_STREAM_EXISTS) wrong.setExpectedStreamExists(new Empty());
    else if (expected === EXPECTED_ANY) wrong.setExpectedAny(new Empty());
    else wrong.setExpectedRevision(String(expected));
    return response.setWrongExpectedVersion(wrong);
  }
  const success = new AppendResp.Success();
  if (outcome.lastRevision < 0) success.setNoStream(new Empty());
  else success.setCurrentRevision(String(outcome.lastRevision));
  // EventStoreDB answers a retried (idempotent) append without a position.
  if (outcome.kind === 'written') {
    success.setPosition(
      new AppendResp.Position()
        .setCommitPosition(String(outcome.position))
        .setPreparePosition(String(outcome.position)),
    );
  } else {
    success.setNoPosition(new Empty());
  }
  return response.setSuccess(success);
}

/** BatchAppend answers errors as a google.rpc.Status whose details pack the EventStoreDB error message. */
function toBatchAppendResp(
  correlationId: UUID,
  options: BatchAppendReq.Options,
  outcome: AppendOutcome,
  expected: ExpectedVersion,
): BatchAppendResp {
  const response = new BatchAppendResp()
    .setCorrelationId(correlationId)
    .setStreamIdentifier(options.getStreamIdentifier());
  if (expected === EXPECTED_NO_STREAM) response.setNoStream(new GoogleEmpty());
  else if (expected === EXPECTED_STREAM_EXISTS) response.setStreamExists(new GoogleEmpty());
  else if (expected === EXPECTED_ANY) response.setAny(new GoogleEmpty());
  else response.setStreamPosition(String(expected));

  if (outcome.kind === 'wrong-expected-version') {
    const wrong = new WrongExpectedVersion();
    if (outcome.currentRevision === undefined) wrong.setCurrentNoStream(new GoogleEmpty());
    else wrong.setCurrentStreamRevision(String(outcome.currentRevision));
    if (expected === EXPECTED_NO_STREAM) wrong.setExpectedNoStream(new GoogleEmpty());
    else if (expected === EXPECTED_STREAM_EXISTS) wrong.setExpectedStreamExists(new GoogleEmpty());
    else if (expected === EXPECTED_ANY) wrong.setExpectedAny(new GoogleEmpty());
    else wrong.setExpectedStreamPosition(String(expected));
    const details = new Any();
    details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
    const status = new Status()
      .setCode(FAILED_PRECONDITION)
      .setMessage('Wrong expected version')
      .setDetails(details);
    return response.setError(status);
  }
  const success = new BatchAppendResp.Success();
  if (outcome.lastRevision < 0) success.setNoStream(new GoogleEmpty());
  else success.setCurrentRevision(String(outcome.lastRevision));
  if (outcome.kind === 'written') {
    success.setPosition(
      new AllStreamPosition()
        .setCommitPosition(String(outcome.position))
        .setPreparePosition(String(outcome.position)),
    );
  } else {
    success.setNoPosition(new GoogleEmpty());
  }
  return response.setSuccess(success);
}

function streamName(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

function uuidString(uuid: UUID | undefined): string {
  if (!uuid) throw Object.assign(new Error('Missing id'), { code: grpc.status.INVALID_ARGUMENT });
  if (uuid.hasString()) return uuid.getString();
  const structured = uuid.getStructured()!;
  const bytes = Buffer.alloc(16);
  bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
  bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
