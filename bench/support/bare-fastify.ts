import Fastify from 'fastify';

/**
 * The ceiling for Node HTTP on this machine: a bare Fastify server (no Nest, no auth, no database)
 * answering a constant. Run as a child process like the service; prints its port.
 */
async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  const bundleSized = 'x'.repeat(Number(process.env.BODY_BYTES ?? 2048));
  app.get('/constant', async () => 'ok');
  app.get('/constant-bundle', async (_request, reply) =>
    reply.header('content-type', 'application/jwt').send(bundleSized),
  );
  await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  process.stdout.write(`${address.port}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
