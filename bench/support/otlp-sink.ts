import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OTLP/HTTP collector that discards: the service's trace exporter (http/protobuf, the
 * default) posts to it on 127.0.0.1 exactly as it would to a real collector, so "tracing on" in
 * the bench pays for making, batching, encoding and sending every span, and nothing for storing
 * them. It answers each export with an empty ExportTraceServiceResponse (zero bytes in protobuf)
 * and counts what it got, so the bench can show the spans really left the service
 * (`GET /stats` → `{ exports, bytes }`). Run as a child process; prints its port.
 */
function main(): void {
  let exports = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/stats') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ exports, bytes }));
      return;
    }
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      if (request.url === '/v1/traces') exports++;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

main();
