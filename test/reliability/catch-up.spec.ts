import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runWorker } from '../../bench/support/service-process';
import { holderKey, keyBody, printSummary, ReliabilityService, scaled } from './support/harness';
import { EXAMPLE_HARD_LIMITS } from '../../src/device-simulator/simulated-fleet';

/**
 * A service whose read model is far behind its store (a new instance, a lost or outdated read
 * model, a restart after a long outage) rebuilds it from the store. Meanwhile it answers: /health
 * shows the progress, and a client retrying a command it sent before (same Idempotency-Key) gets
 * the first answer, not a refusal decided on the state its own first attempt created.
 */

const BACKLOG_BATTERIES = scaled(2000, 20_000);

describe('catch-up: the service answers while it rebuilds its read model', () => {
  jest.setTimeout(scaled(60_000, 600_000));

  it(`answers /health and replays a retried command during a rebuild of ${BACKLOG_BATTERIES * 11} events`, async () => {
    const service = await ReliabilityService.start();
    try {
      await service.process.stop();
      // A backlog of valid events written straight into the store (the bench's bulk loader).
      await runWorker('load-fleet', {
        file: join(service.dataDir, 'events.db'),
        batteries: BACKLOG_BATTERIES,
        keysPerBattery: 10,
        registerParties: true,
      });
      await service.process.start();
      await service.process.waitCaughtUp(120_000);
      await service.request('POST', '/v1/batteries', {
        as: 'provisioner',
        body: {
          serial: 'R-1',
          model: 'T2',
          chemistry: 'NMC',
          manufacturerId: 'oem',
          firstOwnerId: 'lessor-a',
          hardLimits: EXAMPLE_HARD_LIMITS,
          deviceKey: holderKey(1).publicKey.jwk,
        },
      });
      // No keyId in the body: the service picks it, so a second decision would show as another key.
      const body = keyBody('tom', holderKey(2), ['diagnostics.read']);
      const first = await service.request('POST', '/v1/batteries/R-1/keys', {
        as: 'ownerA',
        body,
        headers: { 'idempotency-key': 'sent-before-the-crash' },
      });
      expect(first.status).toBe(201);

      // The instance dies and comes back without its read model: it replays the whole store.
      await service.process.kill();
      for (const file of ['read-model.db', 'read-model.db-wal', 'read-model.db-shm'])
        rmSync(join(service.dataDir, file), { force: true });
      const started = Date.now();
      await service.process.start();
      const answeredAfterMs = Date.now() - started;
      const during = await service.progress();

      const retry = await service.request('POST', '/v1/batteries/R-1/keys', {
        as: 'ownerA',
        body,
        headers: { 'idempotency-key': 'sent-before-the-crash' },
      });
      const stillCatchingUp = (await service.progress()).position < during.head;
      const caughtUpAfterMs =
        (await service.process.waitCaughtUp(120_000)) + (Date.now() - started);
      const again = await service.request('POST', '/v1/batteries/R-1/keys', {
        as: 'ownerA',
        body,
        headers: { 'idempotency-key': 'sent-before-the-crash' },
      });

      printSummary('catch-up', {
        events: Number(during.head),
        healthAnsweredAfterMs: answeredAfterMs,
        positionWhenAnswered: Number(during.position),
        retryDuringCatchUp: retry.status,
        retryReplayed: retry.body?.replayed === true,
        caughtUpAfterMs,
        failures: [
          retry.status === 201 && retry.body.replayed === true,
          again.status === 201 && again.body.replayed === true,
        ].filter((ok) => !ok).length,
      });
      // It answered before it had caught up (the retry itself may land after: the figures say).
      expect(during.position).toBeLessThan(during.head);
      for (const answer of [retry, again]) {
        expect(answer.status).toBe(201);
        expect(answer.body.replayed).toBe(true);
        expect(answer.body.events).toEqual(first.body.events);
      }
      void stillCatchingUp;
    } finally {
      await service.stop();
    }
  });
});
