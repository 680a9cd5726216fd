import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, RecordedEvent } from '../../src/event-store/event-store.port';
import { WrongExpectedRevisionError } from '../../src/event-store/event-store.errors';

/**
 * The one contract every event-store adapter must pass. An adapter is done when this suite is
 * green against it; the service above the port relies on nothing else.
 */
export interface EventStoreFixture {
  store: EventStore;
  /** Releases the store and whatever it stands on (files, servers). */
  close(): Promise<void>;
}

export function describeEventStoreContract(
  adapterName: string,
  open: () => Promise<EventStoreFixture>,
): void {
  describe(`event store contract: ${adapterName}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;
    // Streams are unique per test so the suite can also run against a shared, long-lived server.
    let stream: (name?: string) => string;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
      const run = randomUUID().slice(0, 8);
      stream = (name = 'a') => `contract${run}-${name}`;
    });
    afterEach(async () => fixture.close());

    const event = (type = 'Happened', data: NewEvent['data'] = {}): NewEvent => ({
      id: randomUUID(),
      type,
      data,
      metadata: { causation: 'contract' },
    });

    describe('append with an expected revision', () => {
      it('creates a stream at revision 0 when no stream is expected', async () => {
        const result = await store.appendToStream(stream(), [event()], 'no_stream');
        expect(result.nextExpectedRevision).toBe(0);
        expect(result.position).toBeGreaterThan(0n);
      });

      it('refuses no_stream on an existing stream and reports the actual revision', async () => {
        await store.appendToStream(stream(), [event(), event()], 'no_stream');
        const error = await store
          .appendToStream(stream(), [event()], 'no_stream')
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamId: stream(), expected: 'no_stream', actual: 1 });
      });

      it('refuses stream_exists on a missing stream', async () => {
        const error = await store
          .appendToStream(stream(), [event()], 'stream_exists')
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ actual: undefined });
      });

      it('accepts stream_exists on an existing stream', async () => {
        await store.appendToStream(stream(), [event()], 'no_stream');
        await expect(
          store.appendToStream(stream(), [event()], 'stream_exists'),
        ).resolves.toMatchObject({ nextExpectedRevision: 1 });
      });

      it('accepts the exact current revision and refuses any other', async () => {
        await store.appendToStream(stream(), [event(), event()], 'no_stream');
        await expect(store.appendToStream(stream(), [event()], 1)).resolves.toMatchObject({
          nextExpectedRevision: 2,
        });
        const stale = await store.appendToStream(stream(), [event()], 1).catch((e: unknown) => e);
        expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
        expect(stale).toMatchObject({ expected: 1, actual: 2 });
        const missing = await store
          .appendToStream(stream('missing'), [event()], 0)
          .catch((e: unknown) => e);
        expect(missing).toMatchObject({ actual: undefined });
      });

      it('accepts any revision with any', async () => {
        await store.appendToStream(stream(), [event()], 'any');
        await expect(store.appendToStream(stream(), [event()], 'any')).resolves.toMatchObject({
          nextExpectedRevision: 1,
        });
      });

      it('appends nothing of a batch whose revision check fails', async () => {
        await store.appendToStream(stream(), [event()], 'no_stream');
        await store.appendToStream(stream(), [event(), event(), event()], 5).catch(() => undefined);
        expect(await store.readStream(stream())).toHaveLength(1);
      });

      it('lets exactly one of several concurrent writers at the same revision win', async () => {
        await store.appendToStream(stream(), [event()], 'no_stream');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, () => store.appendToStream(stream(), [event(), event()], 0)),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes)
          if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(stream())).toHaveLength(3);
      });

      it('refuses an empty append', async () => {
        await expect(store.appendToStream(stream(), [], 'any')).rejects.toThrow();
      });
    });

    // Deduplication is per stream, as in EventStoreDB; what a store does with an id reused in
    // another stream is its own business (the embedded store refuses it, see its spec).
    describe('deduplication by event id', () => {
      it('treats a repeated append of the same ids as a retry: nothing new, same answer', async () => {
        const batch = [event(), event()];
        const first = await store.appendToStream(stream(), batch, 'no_stream');
        const retry = await store.appendToStream(stream(), batch, 'no_stream');
        expect(retry).toEqual(first);
        expect(await store.readStream(stream())).toHaveLength(2);
      });

      it('treats a retry as a retry even when the stream has moved on', async () => {
        const batch = [event()];
        const first = await store.appendToStream(stream(), batch, 'any');
        await store.appendToStream(stream(), [event()], 0);
        await expect(store.appendToStream(stream(), batch, 'any')).resolves.toEqual(first);
        expect(await store.readStream(stream())).toHaveLength(2);
      });
    });

    describe('reading a stream', () => {
      it('returns events in revision order with everything that was written', async () => {
        const written = [
          event('First', { text: 'héllo ⚡', nested: { list: [1, 2.5, null, true] } }),
          event('Second'),
        ];
        await store.appendToStream(stream(), written, 'no_stream');
        const read = await store.readStream(stream());
        expect(read.map((e) => [e.id, e.type, e.revision, e.streamId])).toEqual([
          [written[0].id, 'First', 0, stream()],
          [written[1].id, 'Second', 1, stream()],
        ]);
        expect(read[0].data).toEqual(written[0].data);
        expect(read[0].metadata).toEqual(written[0].metadata);
        expect(read[0].recordedAt).toBeInstanceOf(Date);
      });

      it('reads from a revision and at most a count', async () => {
        await store.appendToStream(stream(), [event(), event(), event(), event()], 'no_stream');
        const read = await store.readStream(stream(), { fromRevision: 1, maxCount: 2 });
        expect(read.map((e) => e.revision)).toEqual([1, 2]);
      });

      it('returns an empty list for a stream that does not exist', async () => {
        expect(await store.readStream(stream('nothing'))).toEqual([]);
      });
    });

    describe('the global order', () => {
      it('orders events of all streams by strictly increasing position', async () => {
        await store.appendToStream(stream('a'), [event(), event()], 'no_stream');
        await store.appendToStream(stream('b'), [event()], 'no_stream');
        await store.appendToStream(stream('a'), [event()], 1);
        const mine = await store.readAll({ streamPrefixes: [stream('')] });
        expect(mine.map((e) => `${e.streamId.slice(-1)}${e.revision}`)).toEqual([
          'a0',
          'a1',
          'b0',
          'a2',
        ]);
        for (let i = 1; i < mine.length; i++)
          expect(mine[i].position).toBeGreaterThan(mine[i - 1].position);
      });

      it('reads strictly after a position, at most a count, filtered by stream prefix', async () => {
        await store.appendToStream(stream('a'), [event(), event(), event()], 'no_stream');
        await store.appendToStream(stream('b'), [event()], 'no_stream');
        const all = await store.readAll({ streamPrefixes: [stream('a')] });
        expect(all).toHaveLength(3);
        const after = await store.readAll({
          after: all[0].position,
          maxCount: 1,
          streamPrefixes: [stream('a')],
        });
        expect(after.map((e) => e.revision)).toEqual([1]);
      });

      it('counts what readAll would answer, up to a bound, with when the first was recorded', async () => {
        await store.appendToStream(stream('a'), [event(), event(), event()], 'no_stream');
        await store.appendToStream(stream('b'), [event(), event()], 'no_stream');
        await store.appendToStream(stream('a'), [event()], 2);
        const mine = [stream('a')];
        const all = await store.readAll({ streamPrefixes: mine });
        for (const [after, maxCount] of [
          [undefined, 10],
          [all[0].position, 10],
          [all[0].position, 2],
          [all[3].position, 10],
        ] as const) {
          const read = await store.readAll({ after, maxCount, streamPrefixes: mine });
          expect(await store.backlogAfter({ after, maxCount, streamPrefixes: mine })).toEqual({
            events: read.length,
            oldestAt: read[0]?.recordedAt,
          });
        }
        expect(
          await store.backlogAfter({ after: all[3].position, maxCount: 10, streamPrefixes: mine }),
        ).toEqual({ events: 0, oldestAt: undefined });
      });

      it('reports the position of the newest event as the head', async () => {
        const result = await store.appendToStream(stream(), [event(), event()], 'no_stream');
        expect(await store.headPosition()).toBeGreaterThanOrEqual(result.position);
      });
    });

    describe('catch-up subscription', () => {
      async function take(
        iterator: AsyncIterator<RecordedEvent>,
        count: number,
      ): Promise<RecordedEvent[]> {
        const taken: RecordedEvent[] = [];
        while (taken.length < count) {
          const next = await iterator.next();
          if (next.done) break;
          taken.push(next.value);
        }
        return taken;
      }

      it('delivers stored events, then live ones, in order and filtered', async () => {
        await store.appendToStream(stream('a'), [event('Old1'), event('Old2')], 'no_stream');
        await store.appendToStream(`other${randomUUID()}`, [event('Elsewhere')], 'no_stream');
        const subscription = store.subscribeToAll({ streamPrefixes: [stream('')] });
        const iterator = subscription[Symbol.asyncIterator]();
        const caughtUp = await take(iterator, 2);
        expect(caughtUp.map((e) => e.type)).toEqual(['Old1', 'Old2']);

        const live = take(iterator, 2);
        await store.appendToStream(stream('b'), [event('New1')], 'no_stream');
        await store.appendToStream(stream('a'), [event('New2')], 1);
        expect((await live).map((e) => e.type)).toEqual(['New1', 'New2']);
        await subscription.close();
      });

      it('starts strictly after the given position', async () => {
        const first = await store.appendToStream(stream(), [event('Skipped')], 'no_stream');
        await store.appendToStream(stream(), [event('Delivered')], 0);
        const subscription = store.subscribeToAll({
          after: first.position,
          streamPrefixes: [stream('')],
        });
        const [delivered] = await take(subscription[Symbol.asyncIterator](), 1);
        expect(delivered.type).toBe('Delivered');
        await subscription.close();
      });

      it('ends the iteration when closed', async () => {
        const subscription = store.subscribeToAll({ streamPrefixes: [stream('')] });
        const iterator = subscription[Symbol.asyncIterator]();
        const pending = iterator.next();
        await subscription.close();
        await expect(pending).resolves.toMatchObject({ done: true });
      });
    });
  });
}
