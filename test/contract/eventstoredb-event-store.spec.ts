import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { EventStoreDbTestServer } from '../support/esdb-server/esdb-test-server';
import { describeEventStoreContract } from './event-store.contract';

/**
 * The shared contract against the EventStoreDB adapter: always against the in-process test double
 * (once as a modern server that offers BatchAppend, once as one that only has the classic Append),
 * and against a real server when EVENTSTORE_CONNECTION_STRING is set.
 */
for (const appendRpc of ['batch', 'classic'] as const) {
  let server: EventStoreDbTestServer;
  describe(`EventStoreDB test double (${appendRpc} append)`, () => {
    beforeAll(async () => {
      server = await EventStoreDbTestServer.start({ appendRpc });
    });
    afterAll(async () => server.stop());

    describeEventStoreContract(
      `EventStoreDB adapter on the in-process double, ${appendRpc} append`,
      async () => {
        const store = EventStoreDbEventStore.fromConnectionString(server.connectionString);
        return { store, close: () => store.dispose() };
      },
    );
  });
}

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
if (connectionString) {
  describeEventStoreContract(
    `EventStoreDB adapter on the real server at ${connectionString}`,
    async () => {
      const store = EventStoreDbEventStore.fromConnectionString(connectionString);
      return { store, close: () => store.dispose() };
    },
  );
} else {
  describe.skip('EventStoreDB adapter on a real server — skipped: set EVENTSTORE_CONNECTION_STRING (e.g. esdb://localhost:2113?tls=false) to run it', () => {
    it('runs the event store contract against the real server', () => undefined);
  });
}
