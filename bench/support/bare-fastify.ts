import Fastify from 'fastify';
import { compactVerify, importJWK, type CryptoKey } from 'jose';
import { DEVICE_PROOF_HEADER, DEVICE_PROOF_TYP } from '../../src/device-verifier/protocol';
import { DEVICE_KEY_LABEL, DEVICE_KEY_POOL, indexOfSerial, keyPairAt } from './keys';

/**
 * The ceiling for Node HTTP on this machine: a bare Fastify server (no Nest, no auth, no database)
 * answering a constant. Run as a child process like the service; prints its port.
 *
 * Its Bearer pull route answers the service's Bearer pulls as the load generator makes them (so the
 * generator's per-request work is on both sides of the ratio) with a 304, checking nothing.
 *
 * Its device route is the baseline of a device-authenticated pull: the same Ed25519 proof the
 * load generator makes for the service (a fresh one per request), verified the way the service's
 * verifier does it (jose compactVerify with the battery's key, imported once per key), bound to
 * the battery and the method; then 304, no database, no replay memory.
 */
async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  const bundleSized = 'x'.repeat(Number(process.env.BODY_BYTES ?? 2048));
  app.get('/constant', async () => 'ok');
  app.get('/constant-bundle', async (_request, reply) =>
    reply.header('content-type', 'application/jwt').send(bundleSized),
  );

  // The baseline of a Bearer pull: the same requests (path, token, If-None-Match) as the service
  // gets them from the load generator, answered 304 without reading the token or anything else.
  app.get('/v1/batteries/:serial/bundle', async (request, reply) =>
    request.headers['if-none-match'] ? reply.code(304).header('etag', '"1.0"').send() : 'ok',
  );

  const keys = new Map<number, Promise<CryptoKey>>();
  const deviceKey = (index: number) => {
    const slot = index % DEVICE_KEY_POOL;
    let key = keys.get(slot);
    if (!key) {
      key = importJWK(
        keyPairAt(DEVICE_KEY_LABEL, slot).publicKey.jwk,
        'EdDSA',
      ) as Promise<CryptoKey>;
      keys.set(slot, key);
    }
    return key;
  };
  app.get<{ Params: { serial: string } }>('/v1/devices/:serial/bundle', async (request, reply) => {
    const serial = request.params.serial;
    const index = indexOfSerial(serial);
    const proof = request.headers[DEVICE_PROOF_HEADER.toLowerCase()];
    if (index === undefined || typeof proof !== 'string') return reply.code(401).send();
    try {
      const { payload, protectedHeader } = await compactVerify(proof, await deviceKey(index), {
        algorithms: ['EdDSA'],
      });
      const claims = JSON.parse(new TextDecoder().decode(payload)) as {
        sub?: string;
        htm?: string;
      };
      if (protectedHeader.typ !== DEVICE_PROOF_TYP || claims.sub !== serial || claims.htm !== 'GET')
        return reply.code(401).send();
    } catch {
      return reply.code(401).send();
    }
    return request.headers['if-none-match'] ? reply.code(304).header('etag', '"1.0"').send() : 'ok';
  });

  await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  process.stdout.write(`${address.port}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
