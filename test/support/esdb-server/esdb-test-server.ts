/**
 * TEST DOUBLE — NOT EventStoreDB.
 *
 * An in-process stand-in for a single EventStoreDB node, served over real gRPC with the service
 * definitions that `@eventstore/db-client` ships, so the client and the adapter run unchanged
 * against it. It keeps everything in memory and implements only what the adapter uses:
 * ServerFeatures, Streams.Read (streams and $all, both directions, filters, catch-up subscriptions
 * to $all with confirmation, checkpoints and caught-up), Streams.Append and Streams.BatchAppend with
 * EventStoreDB's expected-version and idempotency rules. No security, no projections, no
 * persistent subscriptions, no cluster, no deletes. Use a real server (EVENTSTORE_CONNECTION_STRING)
 * for anything this double does not prove.
 *
 * It can be stopped and started again on the same port with its data kept, so tests can take the
 * server away while a client is working.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { InMemoryLog } from './in-memory-log';
import { createStreamsService } from './streams-service';
import { createServerFeaturesService } from './server-features-service';

export interface EventStoreDbTestServerOptions {
  /**
   * 'batch' (default) advertises BatchAppend like EventStoreDB 21.10+, which the client then uses;
   * 'classic' leaves it out, so the client falls back to the client-streaming Append.
   */
  appendRpc?: 'batch' | 'classic';
  /** Start on this port instead of an ephemeral one. */
  port?: number;
}

export class EventStoreDbTestServer {
  readonly log = new InMemoryLog();
  private server: grpc.Server | undefined;
  private boundPort: number | undefined;

  private constructor(private readonly options: EventStoreDbTestServerOptions) {
    this.boundPort = options.port;
  }

  /** Creates the double and starts it on 127.0.0.1 (an ephemeral port unless one is given). */
  static async start(options: EventStoreDbTestServerOptions = {}): Promise<EventStoreDbTestServer> {
    const server = new EventStoreDbTestServer(options);
    await server.start();
    return server;
  }

  get port(): number {
    if (this.boundPort === undefined) throw new Error('The test server has never been started');
    return this.boundPort;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Starts serving (again) on the same port, with the data kept in `log`. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new grpc.Server();
    server.addService(StreamsService, createStreamsService(this.log));
    server.addService(
      ServerFeaturesService,
      createServerFeaturesService((this.options.appendRpc ?? 'batch') === 'batch'),
    );
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        `127.0.0.1:${this.boundPort ?? 0}`,
        grpc.ServerCredentials.createInsecure(),
        (error, port) => (error ? reject(error) : resolve(port)),
      ),
    );
    this.server = server;
    // Like a node writing its statistics: system events interleave with user events in $all.
    this.log.append(`$stats-127.0.0.1:${this.boundPort}`, -2, [
      {
        id: randomUUID(),
        type: '$statsCollected',
        contentType: 'application/json',
        data: Buffer.from('{}'),
        metadata: new Uint8Array(),
      },
    ]);
  }

  /** Drops every connection and call at once, like a crashed or killed node. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.forceShutdown();
  }
}
