import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_ISSUER_KEY_FILE } from '../../src/auth/local-token-issuer';
import { LOCAL_SIGNING_KEY_FILE } from '../../src/signing/local-key-signer';
import { EventStoreDbTestServer } from '../support/esdb-server/esdb-test-server';
import { TestApp, newPublicJwk } from '../support/test-app';
import { provision, registerCast, type Cast } from '../support/fleet-scenario';

/**
 * Two service instances on one EventStoreDB (here the in-process test double). Each keeps its own
 * read model from the subscription; the position a command answers with, sent back as
 * X-Min-Position, gives a client read-your-writes on either instance.
 */
describe('many instances on one EventStoreDB', () => {
  let server: EventStoreDbTestServer;
  let a: TestApp;
  let b: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    server = await EventStoreDbTestServer.start();
    const env = {
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: server.connectionString,
    };
    a = await TestApp.start(env);
    // Instances share the identity provider and the bundle-signing key; locally that means the key files.
    const dataDirB = mkdtempSync(join(tmpdir(), 'battery-keys-b-'));
    mkdirSync(dataDirB, { recursive: true });
    for (const file of [LOCAL_ISSUER_KEY_FILE, LOCAL_SIGNING_KEY_FILE])
      copyFileSync(join(a.dataDir, file), join(dataDirB, file));
    b = await TestApp.start(env, dataDirB);
    cast = await registerCast(a);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await server?.stop();
  });

  it('reads its own writes on the other instance with the position token', async () => {
    const { response } = await provision(a, cast, 'SN-MULTI');
    const position = response.body.position as string;
    const onB = await b.request('GET', '/v1/batteries/SN-MULTI', {
      as: cast.ownerA,
      headers: { 'x-min-position': position },
    });
    expect(onB.status).toBe(200);
    expect(onB.body.position).toBe(position);

    const { publicJwk } = await newPublicJwk();
    const issued = await b.request('POST', '/v1/batteries/SN-MULTI/keys', {
      as: cast.ownerA,
      body: {
        keyId: 'k-b',
        holder: { personId: 'tom', partyId: 'workshop' },
        publicKey: publicJwk,
        capabilities: ['charge'],
        notAfter: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      },
    });
    expect(issued.status).toBe(201);
    const onA = await a.request('GET', '/v1/batteries/SN-MULTI', {
      as: cast.ownerA,
      headers: { 'x-min-position': issued.body.position },
    });
    expect(onA.body.keys.map((k: { keyId: string }) => k.keyId)).toEqual(['k-b']);

    const bundleA = await a.request('GET', '/v1/batteries/SN-MULTI/bundle', {
      as: cast.ownerA,
      headers: { 'x-min-position': issued.body.position },
    });
    const bundleB = await b.request('GET', '/v1/batteries/SN-MULTI/bundle', {
      as: cast.ownerA,
      headers: { 'x-min-position': issued.body.position },
    });
    expect(bundleA.headers.get('x-bundle-version')).toBe(bundleB.headers.get('x-bundle-version'));
  });

  it('answers 503 with Retry-After when an instance cannot reach a position in time', async () => {
    const far = await a.request('GET', '/v1/parties', {
      as: cast.platform,
      headers: { 'x-min-position': '999999999999' },
    });
    expect(far.status).toBe(503);
    expect(far.headers.get('retry-after')).toBe('1');
  }, 15_000);

  it('lets exactly one of two instances win a race on the same revision', async () => {
    await provision(a, cast, 'SN-RACE');
    const headers = { 'if-match': '"0"' };
    const [onA, onB] = await Promise.all([
      a.request('POST', '/v1/batteries/SN-RACE/theft-report', { as: cast.ownerA, headers }),
      b.request('POST', '/v1/batteries/SN-RACE/leases', {
        as: cast.ownerA,
        headers,
        body: { operatorId: 'courier' },
      }),
    ]);
    const [winner, loser] = onA.status === 409 ? [onB, onA] : [onA, onB];
    expect(winner.status).toBeGreaterThanOrEqual(200);
    expect(winner.status).toBeLessThan(300);
    expect(loser.body).toMatchObject({ code: 'concurrency-conflict', currentRevision: 1 });
  });

  it('appends a retried Idempotency-Key once even when the retry lands on the other instance', async () => {
    await provision(a, cast, 'SN-IDEM-MULTI');
    const body = { operatorId: 'courier', leaseId: 'lease-x' };
    const first = await a.request('POST', '/v1/batteries/SN-IDEM-MULTI/leases', {
      as: cast.ownerA,
      body,
      headers: { 'idempotency-key': 'lease-x-1' },
    });
    const retry = await b.request('POST', '/v1/batteries/SN-IDEM-MULTI/leases', {
      as: cast.ownerA,
      body,
      headers: { 'idempotency-key': 'lease-x-1' },
    });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.events.map((e: { id: string }) => e.id)).toEqual(
      first.body.events.map((e: { id: string }) => e.id),
    );
    const history = await b.request('GET', '/v1/batteries/SN-IDEM-MULTI/history', {
      as: cast.ownerA,
      headers: { 'x-min-position': retry.body.position },
    });
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual([
      'BatteryProvisioned',
      'LeaseAssigned',
    ]);
  });
});
