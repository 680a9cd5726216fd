import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateLocalIssuerKey, mintToken } from '../../src/auth/local-token-issuer';
import { TRUST_DOCUMENT_HEADERS } from '../../src/bundles/http/published-trust';
import { createApp } from '../../src/create-app';

/**
 * Issue 11, per-request work in proportion to the route: the request log line is written from
 * Fastify's onResponse hook at debug (nothing per request at info; a 503 at warn), and
 * read-your-writes runs as a guard after the Bearer check, so a request without a valid token is
 * refused before its X-Min-Position is judged or waited on.
 */
jest.setTimeout(30_000);

interface LogEntry {
  level: number;
  msg?: string;
  context?: string;
  req?: { id: string; method: string; url: string; headers: Record<string, string> };
  res?: { statusCode: number };
  responseTime?: number;
}

async function start(logLevel: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'battery-keys-pipeline-'));
  const lines: string[] = [];
  const app: NestFastifyApplication = await createApp(
    { DATA_DIR: dataDir, LOG_LEVEL: logLevel, PORT: '0' },
    { logDestination: { write: (line: string) => lines.push(line) } },
  );
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const token = await mintToken(
    await loadOrCreateLocalIssuerKey(dataDir),
    'urn:battery-keys:local-issuer',
    'battery-keys',
    { personId: 'pat', partyId: 'platform', roles: ['platform-admin'], ttlSeconds: 600 },
  );
  const entries = () =>
    lines
      .flatMap((chunk) => chunk.split('\n'))
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogEntry);
  return {
    baseUrl,
    token,
    entries,
    requestLines: () => entries().filter((entry) => entry.res !== undefined),
    stop: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('The request log', () => {
  it('writes nothing per request at info', async () => {
    const app = await start('info');
    try {
      for (const path of ['/.well-known/jwks.json', '/v1/policy', '/v1/nowhere']) {
        await fetch(`${app.baseUrl}${path}`, { headers: { authorization: `Bearer ${app.token}` } });
      }
      expect(app.requestLines()).toEqual([]);
      expect(app.entries().length).toBeGreaterThan(0);
    } finally {
      await app.stop();
    }
  });

  it('writes one redacted line per request at debug, under the request id the caller sees', async () => {
    const app = await start('debug');
    try {
      const answer = await fetch(`${app.baseUrl}/v1/policy?x=1`, {
        headers: { authorization: `Bearer ${app.token}`, 'x-request-id': 'trace-42' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-request-id')).toBe('trace-42');
      const refused = await fetch(`${app.baseUrl}/v1/policy`);
      expect(refused.status).toBe(401);

      const lines = app.requestLines();
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({
        level: 20,
        context: 'HTTP',
        msg: 'request completed',
        req: { id: 'trace-42', method: 'GET', url: '/v1/policy?x=1' },
        res: { statusCode: 200 },
      });
      expect(lines[0].req?.headers.authorization).toBe('[Redacted]');
      expect(lines[1]).toMatchObject({ level: 20, res: { statusCode: 401 } });
      expect(lines[1].req?.id).toBe(refused.headers.get('x-request-id'));
      expect(JSON.stringify(app.entries())).not.toContain(app.token);
    } finally {
      await app.stop();
    }
  });

  it('writes a 503 at warn, even when debug is off', async () => {
    const app = await start('warn');
    try {
      const answer = await fetch(`${app.baseUrl}/v1/parties`, {
        headers: { authorization: `Bearer ${app.token}`, 'x-min-position': '999999999999' },
      });
      expect(answer.status).toBe(503);
      expect(app.requestLines()).toEqual([
        expect.objectContaining({ level: 40, msg: 'request errored', res: { statusCode: 503 } }),
      ]);
    } finally {
      await app.stop();
    }
  });
});

describe('Read-your-writes', () => {
  it('refuses a request without a valid token before judging or waiting on its X-Min-Position', async () => {
    const app = await start('silent');
    try {
      for (const position of ['999999999999', 'abc']) {
        const started = Date.now();
        const answer = await fetch(`${app.baseUrl}/v1/parties`, {
          headers: { 'x-min-position': position },
        });
        expect({ position, status: answer.status }).toEqual({ position, status: 401 });
        expect(Date.now() - started).toBeLessThan(2000);
      }
      const malformed = await fetch(`${app.baseUrl}/v1/parties`, {
        headers: { authorization: `Bearer ${app.token}`, 'x-min-position': 'abc' },
      });
      expect(malformed.status).toBe(400);
      const reached = await fetch(`${app.baseUrl}/v1/parties`, {
        headers: { authorization: `Bearer ${app.token}`, 'x-min-position': '0' },
      });
      expect(reached.status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});

describe('The public trust documents', () => {
  it("are answered before Nest's router, with the route's headers and a request id", async () => {
    const app = await start('silent');
    try {
      for (const path of ['/.well-known/jwks.json', '/.well-known/bundle-trust.json']) {
        // Nest's global guards would hold this request until the read model reached the position
        // (a 503 after the wait); the documents do not depend on the read model, and their hook
        // answers before any guard runs.
        const started = Date.now();
        const answer = await fetch(`${app.baseUrl}${path}`, {
          headers: { 'x-min-position': '999999999999' },
        });
        expect({ path, status: answer.status }).toEqual({ path, status: 200 });
        expect(Date.now() - started).toBeLessThan(1000);
        expect(answer.headers.get('content-type')).toBe(TRUST_DOCUMENT_HEADERS['content-type']);
        expect(answer.headers.get('cache-control')).toBe(TRUST_DOCUMENT_HEADERS['cache-control']);
        expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(Object.keys((await answer.json()) as object).length).toBeGreaterThan(0);
      }
    } finally {
      await app.stop();
    }
  });
});
