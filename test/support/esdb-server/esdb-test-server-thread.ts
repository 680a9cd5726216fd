import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { EventStoreDbTestServerOptions } from './esdb-test-server';

/**
 * The same test double (esdb-test-server.ts), run in a worker thread of this process. For tests
 * that push a lot of events through it: the server's side of gRPC and protobuf then runs on another
 * core, and outside jest's module sandbox, which makes protobuf several times slower.
 */
export class EventStoreDbTestServerThread {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: () => void; reject: (error: Error) => void }
  >();
  private isRunning = true;

  private constructor(
    private readonly worker: Worker,
    readonly port: number,
  ) {
    worker.on('message', ({ id, ok, error }: { id: number; ok: boolean; error?: string }) => {
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (ok) call?.resolve();
      else call?.reject(new Error(error));
    });
  }

  static async start(
    options: EventStoreDbTestServerOptions = {},
  ): Promise<EventStoreDbTestServerThread> {
    const worker = new Worker(join(__dirname, 'worker-entry.js'), { workerData: options });
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (message: { ready: boolean; port?: number; error?: string }) =>
        message.ready ? resolve(message.port!) : reject(new Error(message.error)),
      );
    });
    return new EventStoreDbTestServerThread(worker, port);
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  get running(): boolean {
    return this.isRunning;
  }

  async start(): Promise<void> {
    await this.send('start');
    this.isRunning = true;
  }

  async stop(): Promise<void> {
    await this.send('stop');
    this.isRunning = false;
  }

  /** Stops the server and ends the thread, with the data in it. */
  async terminate(): Promise<void> {
    await this.stop();
    await this.worker.terminate();
  }

  private send(command: 'start' | 'stop'): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, command });
    });
  }
}
