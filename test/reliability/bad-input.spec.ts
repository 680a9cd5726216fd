import fc from 'fast-check';
import { inParallel, printSummary, readStore, ReliabilityService, scaled } from './support/harness';
import {
  malformedRequests,
  operationsOf,
  type MalformedRequest,
} from './support/malformed-requests';

/**
 * A fuzzer sends malformed, oversized and type-confused requests to every operation of the
 * service's own OpenAPI document: no answer may be a 5xx, no changing request may succeed, and the
 * store must not move. Bodies over the limit get 413, non-JSON bodies 415.
 */

const REQUESTS = scaled(400, 5000);
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2_147_483_647);
const BODY_LIMIT_BYTES = 64 * 1024;

describe('bad input: fuzzing every endpoint of the OpenAPI document', () => {
  jest.setTimeout(scaled(60_000, 900_000));

  it(`answers ${REQUESTS} malformed requests without a 5xx and without a change (seed ${SEED})`, async () => {
    const service = await ReliabilityService.start({ BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) });
    try {
      await service.seed(['FUZZ-1']);
      const transfer = await service.request('POST', '/v1/batteries/FUZZ-1/transfers', {
        as: 'ownerA',
        body: { toOwnerId: 'lessor-b', transferId: 'open-1' },
      });
      expect(transfer.status).toBe(201);
      const document = (await service.request('GET', '/docs/openapi.json')).body;
      const operations = operationsOf(document);
      expect(operations.length).toBeGreaterThan(10);

      const storeBefore = readStore(service.dataDir).length;
      const headBefore = (await service.progress()).head;
      const context = {
        existing: { serial: 'FUZZ-1', partyId: 'lessor-a', transferId: 'open-1' },
        tokens: [
          service.tokens.platform,
          service.tokens.ownerA,
          service.tokens.provisioner,
          service.tokens.ownerB,
        ],
        bodyLimitBytes: BODY_LIMIT_BYTES,
      };
      // Every operation gets its share; the cases within it are drawn by fast-check.
      const perOperation = Math.max(4, Math.ceil(REQUESTS / operations.length));
      const requests: MalformedRequest[] = operations.flatMap((operation, index) =>
        fc.sample(malformedRequests(operation, context), {
          numRuns: perOperation,
          seed: SEED + index,
        }),
      );

      const failures: { request: MalformedRequest; status: number; why: string }[] = [];
      const statuses: Record<string, number> = {};
      const byKind: Record<string, number> = {};
      await inParallel(
        requests.map((request) => async () => {
          const answer = await service.request(request.method, request.path, {
            rawBody: request.body,
            headers: request.headers,
          });
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          byKind[request.kind] = (byKind[request.kind] ?? 0) + 1;
          const changing = request.method !== 'GET';
          if (answer.status >= 500) failures.push({ request, status: answer.status, why: '5xx' });
          else if (changing && answer.status < 400)
            failures.push({
              request,
              status: answer.status,
              why: 'a malformed change was accepted',
            });
          else if (request.kind === 'over-body-limit' && answer.status !== 413)
            failures.push({
              request,
              status: answer.status,
              why: 'body over the limit not refused with 413',
            });
          else if (request.kind === 'wrong-media-type' && answer.status !== 415)
            failures.push({
              request,
              status: answer.status,
              why: 'non-JSON body not refused with 415',
            });
          else if (
            answer.status >= 400 &&
            !String(answer.headers.get('content-type')).includes('application/problem+json')
          ) {
            failures.push({ request, status: answer.status, why: 'refusal is not problem+json' });
          }
        }),
        8,
      );

      const storeAfter = readStore(service.dataDir).length;
      const headAfter = (await service.progress()).head;
      // The fuzzing service runs without a rate limit (see ServiceProcess); a second one has a low limit.
      const rateLimited = await burstAgainstLowLimit();

      const serverErrors = failures.filter((f) => f.why === '5xx').length;
      printSummary('bad-input', {
        attempts: requests.length,
        operations: operations.length,
        failures: failures.length,
        serverErrors,
        accepted: failures.filter((f) => f.why.startsWith('a malformed')).length,
        storeChange: storeAfter - storeBefore,
        status413: statuses[413] ?? 0,
        status415: statuses[415] ?? 0,
        rateLimited429: rateLimited,
        seed: SEED,
      });
      if (failures.length > 0) {
        const sample = failures
          .slice(0, 10)
          .map(
            (f) =>
              `${f.why}: ${f.status} ${f.request.method} ${f.request.path.slice(0, 120)} [${f.request.kind}] ${String(f.request.body).slice(0, 200)}`,
          );
        throw new Error(
          `${failures.length} of ${requests.length} requests failed (seed ${SEED}):\n${sample.join('\n')}`,
        );
      }
      expect(storeAfter).toBe(storeBefore);
      expect(headAfter).toBe(headBefore);
      expect(byKind['over-body-limit']).toBeGreaterThan(0);
      expect(rateLimited).toBeGreaterThan(0);
    } finally {
      await service.stop();
    }
  });
});

/** 300 requests at once from one caller against a service limited to 100 a minute: how many got 429. */
async function burstAgainstLowLimit(): Promise<number> {
  const limited = await ReliabilityService.start({ RATE_LIMIT_PER_MINUTE: '100' });
  try {
    const burst = await Promise.all(
      Array.from({ length: 300 }, () => limited.request('GET', '/v1/parties', { as: 'ownerA' })),
    );
    for (const answer of burst) expect([200, 429]).toContain(answer.status);
    return burst.filter((answer) => answer.status === 429).length;
  } finally {
    await limited.stop();
  }
}
