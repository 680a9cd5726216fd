import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyPairAt, type KeyPair } from '../../../bench/support/fleet-loader';
import { ServiceProcess } from '../../../bench/support/service-process';
import { localIssuerKey, mintToken } from '../../../bench/support/tokens';
import type { ParsedJson } from '../../support/parsed-json';
import { EXAMPLE_HARD_LIMITS } from '../../../src/device-simulator/simulated-fleet';

/**
 * RELIABILITY_SCALE picks the size of every reliability run: "small" (the default, what runs inside
 * `npm test`: a few seconds per part), "full" (`npm run test:reliability`), or a number that
 * multiplies the small figures.
 */
export function scale(): { name: string; factor: number } {
  const value = (process.env.RELIABILITY_SCALE ?? 'small').trim().toLowerCase();
  if (value === 'small' || value === '') return { name: 'small', factor: 1 };
  if (value === 'full') return { name: 'full', factor: 10 };
  const factor = Number(value);
  if (!Number.isFinite(factor) || factor <= 0)
    throw new Error(`RELIABILITY_SCALE must be small, full or a positive number, not ${value}`);
  return { name: value, factor };
}

/** `small` at the default scale, `full` at full scale, `small × factor` for a numeric scale. */
export function scaled(small: number, full: number): number {
  const { name, factor } = scale();
  if (name === 'small') return small;
  if (name === 'full') return full;
  return Math.max(1, Math.round(small * factor));
}

/**
 * One line per reliability part, `RELIABILITY part=<name> key=value …`, on stdout and appended to
 * RELIABILITY_SUMMARY_FILE when set, so a dashboard can collect the figures.
 */
export function printSummary(
  part: string,
  figures: Record<string, string | number | boolean>,
): string {
  const line = `RELIABILITY part=${part} scale=${scale().name} ${Object.entries(figures)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')}`;
  process.stdout.write(`${line}\n`);
  if (process.env.RELIABILITY_SUMMARY_FILE)
    appendFileSync(process.env.RELIABILITY_SUMMARY_FILE, `${line}\n`);
  return line;
}

export interface ApiAnswer {
  status: number;
  body: ParsedJson;
  headers: Headers;
}

/** A request that reached no answer (connection refused or reset, the service gone). */
export class CutOff extends Error {
  constructor(error: unknown) {
    super(`no answer: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

export const PARTIES: [string, string][] = [
  ['oem', 'manufacturer'],
  ['lessor-a', 'lessor'],
  ['lessor-b', 'lessor'],
  ['courier', 'operator'],
  ['workshop', 'service-provider'],
];

export const HARD_LIMITS = EXAMPLE_HARD_LIMITS;

export type Who =
  'platform' | 'auditor' | 'provisioner' | 'ownerA' | 'ownerB' | 'fleetManager' | 'outsider';

/**
 * The real service as a child process with its own data directory, plus tokens for the usual
 * cast and a small HTTP client.
 */
export class ReliabilityService {
  readonly process: ServiceProcess;
  tokens = {} as Record<Who, string>;

  private constructor(
    readonly dataDir: string,
    env: Record<string, string>,
  ) {
    this.process = new ServiceProcess({ dataDir, env, readyTimeoutMs: 60_000 });
  }

  static async start(env: Record<string, string> = {}): Promise<ReliabilityService> {
    const service = new ReliabilityService(
      mkdtempSync(join(tmpdir(), 'battery-keys-reliability-')),
      env,
    );
    await service.process.start();
    const key = localIssuerKey(service.dataDir);
    const cast: Record<Who, [string, string, string[]]> = {
      platform: ['pat', 'platform', ['platform-admin']],
      auditor: ['audrey', 'platform', ['auditor']],
      provisioner: ['olga', 'oem', ['provisioner']],
      ownerA: ['alice', 'lessor-a', ['owner-admin']],
      ownerB: ['bob', 'lessor-b', ['owner-admin']],
      fleetManager: ['carla', 'courier', ['fleet-manager']],
      outsider: ['mallory', 'workshop', ['technician']],
    };
    for (const [who, [personId, partyId, roles]] of Object.entries(cast)) {
      service.tokens[who as Who] = await mintToken(key, {
        personId,
        partyId,
        roles,
        ttlSeconds: 6 * 3600,
      });
    }
    return service;
  }

  get baseUrl(): string {
    return this.process.baseUrl;
  }

  async request(
    method: string,
    path: string,
    options: {
      as?: Who;
      token?: string;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    } = {},
  ): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const token = options.token ?? (options.as ? this.tokens[options.as] : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
    const payload =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (
      payload !== undefined &&
      !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
    )
      headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: payload,
        signal: options.signal,
      });
      // An event stream (the change feed) stays open by design: its status and headers are the
      // answer; the body is not waited for.
      if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        await response.body?.cancel();
        text = '';
      } else text = await response.text();
    } catch (error) {
      throw new CutOff(error);
    }
    let body: unknown = text;
    // JSON and problem+json, not JSON lines (an audit export is many documents, one per line).
    if (/[/+]json\b/.test(response.headers.get('content-type') ?? '') && text)
      body = JSON.parse(text);
    return { status: response.status, body, headers: response.headers };
  }

  /** Registers the parties and provisions `serials` for lessor-a (fails loudly on any refusal). */
  async seed(serials: string[]): Promise<void> {
    for (const [partyId, kind] of PARTIES) {
      const answer = await this.request('POST', '/v1/parties', {
        as: 'platform',
        body: { partyId, name: partyId.toUpperCase(), kind },
      });
      if (answer.status !== 201)
        throw new Error(`registering ${partyId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    for (const [index, serial] of serials.entries()) {
      const answer = await this.request('POST', '/v1/batteries', {
        as: 'provisioner',
        body: provisionBody(serial, deviceKey(index)),
      });
      if (answer.status !== 201)
        throw new Error(`provisioning ${serial}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }

  /** The store's head and the read model's position, from /health. */
  progress() {
    return this.process.progress();
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export const deviceKey = (index: number): KeyPair => keyPairAt('reliability-device', index);
export const holderKey = (index: number): KeyPair => keyPairAt('reliability-holder', index);

export function provisionBody(serial: string, device: KeyPair): Record<string, unknown> {
  return {
    serial,
    model: 'T2-48V',
    chemistry: 'NMC',
    manufacturerId: 'oem',
    firstOwnerId: 'lessor-a',
    hardLimits: HARD_LIMITS,
    deviceKey: device.publicKey.jwk,
  };
}

export function keyBody(
  holder: string,
  key: KeyPair,
  capabilities: string[] = ['charge'],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    holder: { personId: holder, partyId: 'workshop' },
    publicKey: key.publicKey.jwk,
    capabilities,
    notAfter: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    ...extra,
  };
}

export const newRequestId = () => `rel-${randomUUID()}`;

export interface StoredEvent {
  position: number;
  id: string;
  streamId: string;
  revision: number;
  type: string;
  /** The event's data and metadata: JSON objects, as the store keeps them. */
  data: Record<string, ParsedJson>;
  metadata: Record<string, ParsedJson>;
}

/** Every event in the embedded store, in global order, read straight from its file (read-only). */
export function readStore(dataDir: string): StoredEvent[] {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<
        [],
        {
          position: number;
          event_id: string;
          stream_id: string;
          revision: number;
          type: string;
          data: string;
          metadata: string;
        }
      >(
        'SELECT position, event_id, stream_id, revision, type, data, metadata FROM events ORDER BY position',
      )
      .all()
      .map((row) => ({
        position: row.position,
        id: row.event_id,
        streamId: row.stream_id,
        revision: row.revision,
        type: row.type,
        data: JSON.parse(row.data) as StoredEvent['data'],
        metadata: JSON.parse(row.metadata) as StoredEvent['metadata'],
      }));
  } finally {
    db.close();
  }
}

/**
 * Every table of the read model, rows sorted, as plain data: two read models built from the same
 * events compare equal. Read while the service runs (WAL readers do not block it).
 */
export function readModelTables(dataDir: string): Record<string, unknown[]> {
  const db = new Database(join(dataDir, 'read-model.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all();
    const snapshot: Record<string, unknown[]> = {};
    for (const { name } of tables) {
      snapshot[name] = db
        .prepare(`SELECT * FROM "${name}"`)
        .all()
        .map((row) => JSON.stringify(row))
        .sort();
    }
    return snapshot;
  } finally {
    db.close();
  }
}

/** Runs `tasks` with at most `limit` in flight. */
export async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]();
      }
    }),
  );
  return results;
}
