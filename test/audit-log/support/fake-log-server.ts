import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IndependentTree, hashLeaf, signCheckpoint, type TestSigner } from './independent-log';

/**
 * A log on 127.0.0.1 that serves whatever the test makes it serve: the checkpoint of a tree of
 * the test's choosing (an honest extension, a fork, a rollback), consistency proofs from that
 * tree, and it records the cosignatures it is sent.
 */
export class FakeLogServer {
  private server: Server | undefined;
  baseUrl = '';
  tree: IndependentTree = new IndependentTree([]);
  /** The note served at GET /v1/log/checkpoint. */
  checkpoint = '';
  cosignatureStatus = 204;
  readonly received: { checkpoint: string; cosignature: string }[] = [];
  readonly requests: string[] = [];

  constructor(readonly log: TestSigner) {}

  /** Serve the checkpoint of the first `size` leaves of `leaves`, signed by `signer`. */
  show(leaves: readonly string[], size = leaves.length, signer = this.log): string {
    this.tree = new IndependentTree(leaves.map(hashLeaf));
    this.checkpoint = signCheckpoint(signer, size, this.tree.root(size), this.log.name);
    return this.checkpoint;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      this.requests.push(`${request.method} ${url.pathname}${url.search}`);
      if (request.method === 'GET' && url.pathname === '/v1/log/checkpoint') {
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(this.checkpoint);
      } else if (request.method === 'GET' && url.pathname === '/v1/log/proofs/consistency') {
        const from = Number(url.searchParams.get('from'));
        const to = Number(url.searchParams.get('to'));
        const proof = this.tree.consistencyProof(from, to).map((hash) => hash.toString('base64'));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ from, to, proof }));
      } else if (request.method === 'POST' && url.pathname === '/v1/log/cosignatures') {
        let body = '';
        request.setEncoding('utf8');
        request.on('data', (chunk: string) => (body += chunk));
        request.on('end', () => {
          this.received.push(JSON.parse(body) as { checkpoint: string; cosignature: string });
          response.writeHead(this.cosignatureStatus, {
            'content-type': 'application/problem+json',
          });
          response.end(this.cosignatureStatus === 204 ? undefined : '{"title":"refused"}');
        });
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
