import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../event-store/embedded/sqlite-event-store';
import { toNewEvent } from '../../shared/infrastructure/event-mapping';
import type { PartyRegistered } from '../domain/party-events';
import { PartyDirectory } from './party-directory';

const registered = (partyId: string): PartyRegistered => ({
  type: 'PartyRegistered',
  data: { partyId, name: partyId, kind: 'lessor' },
  meta: {
    actor: { personId: 'pat', partyId: 'platform', role: 'platform-admin' },
    occurredAt: new Date(0).toISOString(),
    requestId: 'r',
    policyVersion: 1,
  },
});

describe('PartyDirectory', () => {
  let dir: string;
  let store: SqliteEventStore;
  let reads: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'party-directory-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
    reads = [];
    const readStream = store.readStream.bind(store);
    store.readStream = (streamId, options) => {
      reads.push(streamId);
      return readStream(streamId, options);
    };
  });

  afterEach(async () => {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a registered party's stream once: its facts never change", async () => {
    await store.appendToStream(
      'party-lessor-a',
      [toNewEvent(registered('lessor-a'), randomUUID())],
      'no_stream',
    );
    const directory = new PartyDirectory(store);

    for (let i = 0; i < 3; i++)
      expect(await directory.facts('lessor-a', 'owner')).toEqual({
        partyId: 'lessor-a',
        kind: 'lessor',
      });
    expect(reads).toEqual(['party-lessor-a']);
  });

  it('reads a party not registered every time it is named, and finds it once registered (by any instance)', async () => {
    const directory = new PartyDirectory(store);
    for (let i = 0; i < 2; i++)
      await expect(directory.facts('lessor-b', 'owner')).rejects.toMatchObject({
        code: 'party-not-registered',
      });
    // Registered through the store, as another instance would.
    await store.appendToStream(
      'party-lessor-b',
      [toNewEvent(registered('lessor-b'), randomUUID())],
      'no_stream',
    );

    expect(await directory.facts('lessor-b', 'owner')).toEqual({
      partyId: 'lessor-b',
      kind: 'lessor',
    });
    expect(reads).toEqual(['party-lessor-b', 'party-lessor-b', 'party-lessor-b']);
  });
});
