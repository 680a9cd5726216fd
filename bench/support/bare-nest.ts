import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The baseline of the service's route without token or database (JWKS): a minimal Nest 11 app on
 * Fastify with one empty GET route, nothing global (no guard, interceptor, pipe or logger). Run
 * as a child process like the service; prints its port.
 */
@Controller()
class EmptyController {
  @Get('empty')
  empty(): void {}
}

@Module({ controllers: [EmptyController] })
class EmptyModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(EmptyModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${address.port}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
