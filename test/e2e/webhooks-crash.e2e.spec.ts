import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { ReliabilityService } from '../reliability/support/harness';

interface Received {
  id: string;
  body: string;
  headers: IncomingHttpHeaders;
}

/**
 * A receiver that either answers 200 or holds each request unanswered (a delivery in flight when
 * the service dies), and deduplicates by webhook-id as the specification asks receivers to.
 */
class Receiver {
  readonly all: Received[] = [];
  hold = false;
  private readonly held: ServerResponse[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.all.push({
          id: String(request.headers['webhook-id']),
          body: Buffer.concat(chunks).toString('utf8'),
          headers: request.headers,
        });
        if (this.hold) this.held.push(response);
        else response.writeHead(204).end();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await new Promise((resolve) => this.server?.once('listening', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Deliveries by webhook-id: what a deduplicating receiver keeps. */
  unique(): Map<string, Received> {
    return new Map(this.all.map((request) => [request.id, request]));
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  release(): void {
    this.hold = false;
    for (const response of this.held.splice(0)) response.destroy();
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const SERIALS = ['WH-CRASH-1', 'WH-CRASH-2', 'WH-CRASH-3', 'WH-CRASH-4'];

describe('webhook deliveries across kill -9', () => {
  it('every event reaches the receiver (deduplicated by webhook-id), signed, with duplicates only under the same id', async () => {
    const receiver = new Receiver();
    await receiver.start();
    const service = await ReliabilityService.start({
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_BASE_MS: '200',
    });
    try {
      await service.seed(SERIALS);
      const registered = await service.request('POST', '/v1/webhooks', {
        as: 'ownerB',
        body: { url: receiver.url, kinds: ['transfer.requested', 'approval.waiting'] },
      });
      expect(registered.status).toBe(201);
      const secret: string = registered.body.endpoint.secret;
      const transferPositions: string[] = [];

      for (const [round, serial] of SERIALS.entries()) {
        // Odd rounds: the delivery is in flight (the receiver holds it) when the service dies.
        // Even rounds: the service dies right after answering the command, wherever the
        // dispatcher then was (before matching, between the outbox commit and the send…).
        receiver.hold = round % 2 === 1;
        const seenBefore = receiver.all.length;
        const transfer = await service.request('POST', `/v1/batteries/${serial}/transfers`, {
          as: 'ownerA',
          body: { toOwnerId: 'lessor-b', transferId: `sale-${round}` },
        });
        expect(transfer.status).toBe(201);
        transferPositions.push(transfer.body.position);
        if (receiver.hold)
          await receiver.waitFor(() => receiver.all.length > seenBefore, 'a delivery in flight');
        await service.process.kill();
        receiver.release();
        await service.process.start();
      }

      const expected = SERIALS.length * 2;
      await receiver.waitFor(() => receiver.unique().size >= expected, `${expected} deliveries`);
      await new Promise((resolve) => setTimeout(resolve, 500));

      const unique = receiver.unique();
      expect(unique.size).toBe(expected);
      const payloads = [...unique.values()].map((request) =>
        new Webhook(secret).verify(request.body, {
          'webhook-id': request.id,
          'webhook-timestamp': String(request.headers['webhook-timestamp']),
          'webhook-signature': String(request.headers['webhook-signature']),
        }),
      ) as { type: string; data: { event: { position: string } } }[];
      // Each transfer event arrived as both kinds.
      for (const position of transferPositions) {
        const kinds = payloads
          .filter((payload) => payload.data.event.position === position)
          .map((payload) => payload.type)
          .sort();
        expect({ position, kinds }).toEqual({
          position,
          kinds: ['approval.waiting', 'transfer.requested'],
        });
      }
      // At least once: a repeat is the same delivery (same id, same body), never a new one.
      for (const request of receiver.all) expect(request.body).toBe(unique.get(request.id)?.body);
      expect(receiver.all.length).toBeGreaterThanOrEqual(expected);
      // The delivery list agrees once the service has recorded the answers.
      const listed = await service.request(
        'GET',
        `/v1/webhooks/${registered.body.endpoint.id}/deliveries`,
        { as: 'ownerB' },
      );
      expect(listed.body.items).toHaveLength(expected);
    } finally {
      await service.stop();
      await receiver.stop();
    }
  }, 120_000);
});
