import type { EventStore } from '../../event-store/event-store.port';
import type { AppliedEvents } from '../feed/applied-events';
import type { WebhookEndpointReadModel } from '../queries/webhook-endpoint-read-model';
import type { DeliveryOutbox } from './delivery-outbox';
import { WebhookDispatcher } from './webhook-dispatcher';

/**
 * The dispatcher's first step, with the read model at position 100: where its checkpoint moves
 * without reading a single event, and from where it then reads.
 */
async function firstStep(firstRegistered: bigint | undefined, checkpoint = 0n) {
  const commits: bigint[] = [];
  const readsAfter: bigint[] = [];
  const waitsBeyond: bigint[] = [];
  let position = checkpoint;
  const events = {
    appliedPosition: () => 100n,
    waitBeyond: async (position: bigint) => {
      waitsBeyond.push(position);
      void dispatcher.stop();
    },
    after: async (after: bigint) => {
      readsAfter.push(after);
      // Called only once the dispatcher below exists.
      void dispatcher.stop();
      return [];
    },
  } as unknown as AppliedEvents;
  const endpoints = {
    firstRegisteredPosition: () => firstRegistered,
    matchingAt: () => [],
  } as unknown as WebhookEndpointReadModel;
  const outbox = {
    checkpoint: () => position,
    commit: (_deliveries: unknown, at: bigint) => {
      commits.push(at);
      position = at;
    },
  } as unknown as DeliveryOutbox;
  const dispatcher = new WebhookDispatcher(events, {} as EventStore, endpoints, outbox, () => {}, {
    error: (message) => {
      throw new Error(message);
    },
  });
  dispatcher.start();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await dispatcher.stop();
  return { commits, readsAfter, waitsBeyond };
}

describe('WebhookDispatcher: what no endpoint can match is stepped over, not read', () => {
  it('reads and writes nothing while no endpoint was ever registered: it waits for the read model', async () => {
    expect(await firstStep(undefined)).toEqual({
      commits: [],
      readsAfter: [],
      waitsBeyond: [100n],
    });
  });

  it('moves only up to the first registration, and reads the events after it', async () => {
    expect(await firstStep(40n)).toEqual({ commits: [40n], readsAfter: [40n], waitsBeyond: [] });
  });

  it('moves to the read model’s position when the first endpoint came after it', async () => {
    expect(await firstStep(250n)).toEqual({ commits: [100n], readsAfter: [100n], waitsBeyond: [] });
  });

  it('never moves back: a checkpoint past the first registration reads on from where it is', async () => {
    expect(await firstStep(40n, 70n)).toEqual({ commits: [], readsAfter: [70n], waitsBeyond: [] });
  });
});
