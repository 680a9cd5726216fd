import type {
  EventStore,
  ReadStreamOptions,
  RecordedEvent,
} from '../../event-store/event-store.port';
import { CONCURRENT_READS, eventsOfRows } from './events-of-rows';

const recorded = (streamId: string, revision: number, position: number): RecordedEvent => ({
  id: `${streamId}#${revision}`,
  streamId,
  type: 'Recorded',
  revision,
  position: BigInt(position),
  data: {},
  metadata: {},
  recordedAt: new Date(0),
});

/** A store of a few events (one of them gone), counting its reads. */
function storeOf(events: RecordedEvent[]) {
  const reads: string[] = [];
  const store = {
    readStream: (
      streamId: string,
      { fromRevision = 0, maxCount = Infinity }: ReadStreamOptions = {},
    ) => {
      reads.push(`${streamId}@${fromRevision}+${maxCount}`);
      return Promise.resolve(
        events
          .filter((event) => event.streamId === streamId && event.revision >= fromRevision)
          .slice(0, maxCount),
      );
    },
  } as unknown as EventStore;
  return { store, reads };
}

describe('eventsOfRows', () => {
  it('gives each row its event, in the rows order, one read per run of a stream', async () => {
    const a0 = recorded('battery-A', 0, 1);
    const a1 = recorded('battery-A', 1, 2);
    const b0 = recorded('battery-B', 0, 3);
    const a2 = recorded('battery-A', 2, 4);
    const { store, reads } = storeOf([a0, a1, b0, a2]);
    const rows = [a0, a1, b0, a2].map(({ position, streamId, revision }) => ({
      position: String(position),
      streamId,
      revision,
    }));

    expect(await eventsOfRows(store, rows)).toEqual([a0, a1, b0, a2]);
    expect(reads).toEqual(['battery-A@0+2', 'battery-B@0+1', 'battery-A@2+1']);
  });

  it('answers undefined for a row whose event the store no longer holds, and the others as they are', async () => {
    const a0 = recorded('battery-A', 0, 1);
    const a2 = recorded('battery-A', 2, 3);
    const { store } = storeOf([a0, a2]);
    const rows = [0, 1, 2].map((revision) => ({
      position: String(revision + 1),
      streamId: 'battery-A',
      revision,
    }));

    expect(await eventsOfRows(store, rows)).toEqual([a0, undefined, a2]);
  });

  it('reads up to CONCURRENT_READS runs at once and still answers in the rows order', async () => {
    const streams = 40;
    const events = Array.from({ length: streams }, (_, index) =>
      recorded(`battery-${index}`, 0, index + 1),
    );
    let inFlight = 0;
    let mostInFlight = 0;
    const store = {
      // Later streams answer sooner: the answer must not follow the order reads complete in.
      readStream: async (streamId: string) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        const index = Number(streamId.split('-')[1]);
        await new Promise((resolve) => setTimeout(resolve, (streams - index) % 7));
        inFlight--;
        return events.filter((event) => event.streamId === streamId);
      },
    } as unknown as EventStore;
    const rows = events.map(({ position, streamId, revision }) => ({
      position: String(position),
      streamId,
      revision,
    }));

    expect(await eventsOfRows(store, rows)).toEqual(events);
    expect(mostInFlight).toBe(CONCURRENT_READS);
  });

  it('fails with the first failed read and starts no read after it', async () => {
    let reads = 0;
    const store = {
      readStream: async (streamId: string) => {
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
        if (streamId === 'battery-0') throw new Error('store unavailable');
        return [];
      },
    } as unknown as EventStore;
    const rows = Array.from({ length: 100 }, (_, index) => ({
      position: String(index + 1),
      streamId: `battery-${index}`,
      revision: 0,
    }));

    await expect(eventsOfRows(store, rows)).rejects.toThrow('store unavailable');
    // The readers already waiting finish theirs; none starts another.
    expect(reads).toBe(CONCURRENT_READS);
  });
});
