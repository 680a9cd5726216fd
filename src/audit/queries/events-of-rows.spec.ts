import type {
  EventStore,
  ReadStreamOptions,
  RecordedEvent,
} from '../../event-store/event-store.port';
import { eventsOfRows } from './events-of-rows';

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
});
