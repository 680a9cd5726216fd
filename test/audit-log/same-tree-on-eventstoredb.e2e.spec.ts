import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { copyEvents } from '../../src/event-store/migration/copy-events';
import { toBase64 } from '../../src/audit-log/domain/hashing';
import { EventStoreDbTestServer } from '../support/esdb-server/esdb-test-server';
import { issueKey, provision, registerCast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { checkpointOf, eventsInStore } from './support';

describe('The same events give the same tree on the embedded store and on EventStoreDB', () => {
  let server: EventStoreDbTestServer;
  let embedded: TestApp | undefined;
  let onEsdb: TestApp | undefined;

  beforeAll(async () => {
    server = await EventStoreDbTestServer.start();
  });
  afterAll(async () => {
    await onEsdb?.stop();
    await embedded?.stop();
    await server.stop();
  });

  it('copies the embedded store to EventStoreDB (system events interleaved) and gets the same root and the same leaves', async () => {
    embedded = await TestApp.start({ AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100' });
    const cast = await registerCast(embedded);
    await provision(embedded, cast, 'SN-SAME-1');
    await issueKey(embedded, cast.ownerA, 'SN-SAME-1', { personId: 'alice', partyId: 'lessor-a' }, [
      'unlock',
    ]);
    const size = eventsInStore(embedded.dataDir);
    const fromEmbedded = await checkpointOf(embedded, size);
    // Each app mints tokens with the issuer key of its own DATA_DIR.
    const hashesOf = async (app: TestApp) => {
      const response = await app.request('GET', `/v1/log/entries?start=0&limit=${size}`, {
        as: await app.caller('pat', 'platform', ['platform-admin']),
      });
      return (response.body as { entries: { leafHash: string }[] }).entries.map(
        (entry) => entry.leafHash,
      );
    };
    const embeddedLeaves = await hashesOf(embedded);
    await embedded.stop({ keepData: true });

    const source = new SqliteEventStore(join(embedded.dataDir, 'events.db'));
    const target = EventStoreDbEventStore.fromConnectionString(server.connectionString);
    try {
      await copyEvents(source, target);
    } finally {
      await source.dispose();
      await target.dispose();
    }

    onEsdb = await TestApp.start({
      AUDIT_LOG_CHECKPOINT_INTERVAL_MS: '100',
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: server.connectionString,
    });
    const fromEsdb = await checkpointOf(onEsdb, size);
    expect(fromEsdb.checkpoint.size).toBe(size);
    expect(toBase64(fromEsdb.checkpoint.root)).toBe(toBase64(fromEmbedded.checkpoint.root));
    // The same leaves in the same order, not just the same head (the double's $-streams are no leaves).
    expect(await hashesOf(onEsdb)).toEqual(embeddedLeaves);
    expect(embeddedLeaves).toHaveLength(size);
    rmSync(embedded.dataDir, { recursive: true, force: true });
  }, 90_000);
});
