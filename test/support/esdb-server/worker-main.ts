import { parentPort, workerData } from 'node:worker_threads';
import { EventStoreDbTestServer, type EventStoreDbTestServerOptions } from './esdb-test-server';

/** Runs the test double inside a worker thread and obeys start/stop messages from the test. */
type Command = { id: number; command: 'start' | 'stop' };

async function main() {
  const server = await EventStoreDbTestServer.start(workerData as EventStoreDbTestServerOptions);
  parentPort!.postMessage({ ready: true, port: server.port });
  const obey = async ({ id, command }: Command) => {
    try {
      await (command === 'start' ? server.start() : server.stop());
      parentPort!.postMessage({ id, ok: true });
    } catch (error) {
      parentPort!.postMessage({ id, ok: false, error: String(error) });
    }
  };
  // Fire and forget: obey() never rejects, it answers the test with the outcome either way.
  parentPort!.on('message', (message: Command) => void obey(message));
}

main().catch((error) => parentPort!.postMessage({ ready: false, error: String(error) }));
