import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type CreateAppOptions } from '../../src/create-app';
import { loadOrCreateLocalIssuerKey, mintToken } from '../../src/auth/local-token-issuer';
import type { ParsedJson } from './parsed-json';

/** An answer as the tests read it: the body parsed when it is JSON, else the text again. */
export interface TestResponse {
  status: number;
  headers: Headers;
  body: ParsedJson;
  text: string;
}

export interface Caller {
  token: string;
  personId: string;
  partyId: string;
}

/**
 * The real application on a loopback port with its own data directory, driven over HTTP with
 * fetch exactly as a client would.
 */
export class TestApp {
  private app: NestFastifyApplication | undefined;
  baseUrl = '';

  private constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string>,
    private readonly options: CreateAppOptions,
  ) {}

  static async start(
    env: Record<string, string> = {},
    dataDir = mkdtempSync(join(tmpdir(), 'battery-keys-e2e-')),
    options: CreateAppOptions = {},
  ): Promise<TestApp> {
    const testApp = new TestApp(dataDir, env, options);
    await testApp.boot();
    return testApp;
  }

  private async boot(): Promise<void> {
    this.app = await createApp(
      {
        DATA_DIR: this.dataDir,
        LOG_LEVEL: 'silent',
        PORT: '0',
        ...this.env,
      },
      this.options,
    );
    await this.app.listen(0, '127.0.0.1');
    this.baseUrl = (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  /** Stops the process's app the way SIGTERM would, then starts a new one on the same data. */
  async restart(): Promise<void> {
    await this.app?.close();
    await this.boot();
  }

  async stop({ keepData = false } = {}): Promise<void> {
    await this.app?.close();
    this.app = undefined;
    if (!keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }

  async caller(
    personId: string,
    partyId: string,
    roles: string[],
    overrides: { audience?: string; issuer?: string; ttlSeconds?: number } = {},
  ): Promise<Caller> {
    const key = await loadOrCreateLocalIssuerKey(this.dataDir);
    const token = await mintToken(
      key,
      overrides.issuer ?? 'urn:battery-keys:local-issuer',
      overrides.audience ?? 'battery-keys',
      {
        personId,
        partyId,
        roles,
        ttlSeconds: overrides.ttlSeconds ?? 600,
      },
    );
    return { token, personId, partyId };
  }

  async request(
    method: string,
    path: string,
    options: {
      as?: Caller;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<TestResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.as) headers.authorization = `Bearer ${options.as.token}`;
    let payload: string | undefined;
    if (options.rawBody !== undefined) payload = options.rawBody;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined && !headers['content-type'])
      headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let body: unknown = text;
    // JSON and problem+json, not JSON lines (an audit export is many documents, one per line).
    const type = response.headers.get('content-type') ?? '';
    if (/[/+]json\b/.test(type) && text) body = JSON.parse(text);
    return { status: response.status, headers: response.headers, body, text };
  }
}

export async function newPublicJwk(
  kind: 'ES256' | 'EdDSA' = 'EdDSA',
): Promise<{ publicJwk: JWK; privateKey: CryptoKey }> {
  const { publicKey, privateKey } = await generateKeyPair(kind, { extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateKey };
}
