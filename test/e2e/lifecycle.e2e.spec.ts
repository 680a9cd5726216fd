import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
} from 'jose';
import { TestApp, newPublicJwk } from '../support/test-app';
import {
  HARD_LIMITS,
  issueKey,
  provision,
  registerCast,
  type Cast,
} from '../support/fleet-scenario';

describe('battery lifecycle over HTTP (embedded store)', () => {
  let app: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
  });
  afterAll(async () => app.stop());

  it('provisions a serial once, recording the provisioner as actor', async () => {
    const { response } = await provision(app, cast, 'SN-PROV');
    expect(response.body).toMatchObject({
      streamId: 'battery-SN-PROV',
      revision: 0,
      replayed: false,
      events: [{ type: 'BatteryProvisioned' }],
    });
    expect(response.headers.get('x-request-id')).toBeTruthy();

    await expect(provision(app, cast, 'SN-PROV')).rejects.toThrow('409');

    const history = await app.request('GET', '/v1/batteries/SN-PROV/history', { as: cast.ownerA });
    expect(history.body.items).toEqual([
      expect.objectContaining({
        type: 'BatteryProvisioned',
        actor: { personId: 'olga', partyId: 'oem', role: 'provisioner' },
        requestId: response.headers.get('x-request-id'),
      }),
    ]);
  });

  it('refuses to provision a second battery with a device key that already identifies one', async () => {
    const { deviceKey } = await provision(app, cast, 'SN-KEY-1');
    const again = provision(app, cast, 'SN-KEY-2', deviceKey);
    await expect(again).rejects.toThrow('409');
    await expect(again).rejects.toThrow('device-key-already-registered');
  });

  it('completes a transfer on acceptance and revokes the old owner’s keys in the same write', async () => {
    await provision(app, cast, 'SN-XFER');
    await app.request('POST', '/v1/batteries/SN-XFER/leases', {
      as: cast.ownerA,
      body: { operatorId: 'courier', leaseId: 'lease-1' },
    });
    expect(
      (
        await issueKey(app, cast.ownerA, 'SN-XFER', { personId: 'tom', partyId: 'workshop' }, [
          'diagnostics.read',
        ])
      ).status,
    ).toBe(201);
    expect(
      (
        await issueKey(app, cast.fleetManager, 'SN-XFER', { personId: 'dan', partyId: 'courier' }, [
          'discharge',
        ])
      ).status,
    ).toBe(201);

    const requested = await app.request('POST', '/v1/batteries/SN-XFER/transfers', {
      as: cast.ownerA,
      body: { toOwnerId: 'lessor-b', transferId: 't-1', reason: 'Q4 portfolio sale' },
    });
    expect(requested.status).toBe(201);
    const second = await app.request('POST', '/v1/batteries/SN-XFER/transfers', {
      as: cast.ownerA,
      body: { toOwnerId: 'lessor-b' },
    });
    expect(second).toMatchObject({ status: 409, body: { code: 'transfer-already-open' } });

    const notReceiver = await app.request('POST', '/v1/batteries/SN-XFER/transfers/t-1/accept', {
      as: cast.ownerA,
    });
    expect(notReceiver.status).toBe(403);

    const accepted = await app.request('POST', '/v1/batteries/SN-XFER/transfers/t-1/accept', {
      as: cast.ownerB,
    });
    expect(accepted.status).toBe(200);
    const types = accepted.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'OwnershipTransferAccepted',
      'LeaseEnded',
      'KeyRevoked',
      'KeyRevoked',
      'OwnershipTransferred',
    ]);
    // One append: consecutive revisions, one position for the whole write.
    const revisions = accepted.body.events.map((e: { revision: number }) => e.revision);
    expect(revisions).toEqual(revisions.map((_: number, i: number) => revisions[0] + i));

    const battery = await app.request('GET', '/v1/batteries/SN-XFER', { as: cast.ownerB });
    expect(battery.body).toMatchObject({
      ownerId: 'lessor-b',
      lease: null,
      keys: [],
      openTransfer: null,
    });
    expect(battery.headers.get('etag')).toBe(`"${accepted.body.revision}"`);
    // The old owner is now unrelated: it hears what it would of a serial nobody provisioned.
    expect((await app.request('GET', '/v1/batteries/SN-XFER', { as: cast.ownerA })).status).toBe(
      404,
    );
  });

  it('leaves a revoked key out of the next bundle, which verifies against the JWKS endpoint and not against another key', async () => {
    const device = await generateKeyPair('ES256', { extractable: true });
    const deviceJwk = await exportJWK(device.publicKey);
    await provision(app, cast, 'SN-BNDL', deviceJwk);
    const kept = await issueKey(
      app,
      cast.ownerA,
      'SN-BNDL',
      { personId: 'tom', partyId: 'workshop' },
      ['diagnostics.read', 'charge'],
    );
    const revoked = await issueKey(
      app,
      cast.ownerA,
      'SN-BNDL',
      { personId: 'ted', partyId: 'workshop' },
      ['faults.reset'],
    );
    const keptId = kept.body.events[0].data.keyId;
    const revokedId = revoked.body.events[0].data.keyId;

    const before = await app.request('GET', '/v1/batteries/SN-BNDL/bundle', { as: cast.ownerA });
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toContain('application/jwt');
    const jwks = createRemoteJWKSet(new URL(`${app.baseUrl}/.well-known/jwks.json`));
    const options = {
      algorithms: ['ES256'],
      issuer: 'urn:battery-keys:bundle-service',
      subject: 'SN-BNDL',
      typ: 'battery-key-bundle+jwt',
    };
    const first = await jwtVerify(before.text, jwks, {
      ...options,
      audience: `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${await calculateJwkThumbprint(deviceJwk)}`,
    });
    expect((first.payload.keys as { key_id: string }[]).map((k) => k.key_id).sort()).toEqual(
      [keptId, revokedId].sort(),
    );
    expect(decodeProtectedHeader(before.text).kid).toBeTruthy();

    const unchanged = await app.request('GET', '/v1/batteries/SN-BNDL/bundle', {
      as: cast.ownerA,
      headers: { 'if-none-match': before.headers.get('etag') as string },
    });
    expect(unchanged.status).toBe(304);

    expect(
      (
        await app.request('POST', `/v1/batteries/SN-BNDL/keys/${revokedId}/revoke`, {
          as: cast.ownerA,
          body: { reason: 'technician left' },
        })
      ).status,
    ).toBe(200);
    const after = await app.request('GET', '/v1/batteries/SN-BNDL/bundle', {
      as: cast.ownerA,
      headers: { 'if-none-match': before.headers.get('etag') as string },
    });
    expect(after.status).toBe(200);
    const second = await jwtVerify(after.text, jwks, options);
    expect((second.payload.keys as { key_id: string }[]).map((k) => k.key_id)).toEqual([keptId]);
    expect(second.payload.ver).toBeGreaterThan(first.payload.ver as number);

    const stranger = await generateKeyPair('ES256', { extractable: true });
    const strangerJwk = {
      ...(await exportJWK(stranger.publicKey)),
      kid: decodeProtectedHeader(after.text).kid,
      alg: 'ES256',
    };
    await expect(
      jwtVerify(after.text, createLocalJWKSet({ keys: [strangerJwk] }), options),
    ).rejects.toThrow(/signature verification failed/);
  });

  it('locks a stolen battery: the bundle says locked and keeps only read-only status', async () => {
    await provision(app, cast, 'SN-THEFT');
    await issueKey(app, cast.ownerA, 'SN-THEFT', { personId: 'tom', partyId: 'workshop' }, [
      'status.read',
      'diagnostics.read',
    ]);
    await issueKey(app, cast.ownerA, 'SN-THEFT', { personId: 'ted', partyId: 'workshop' }, [
      'cells.balance',
    ]);
    expect(
      (
        await app.request('POST', '/v1/batteries/SN-THEFT/theft-report', {
          as: cast.ownerA,
          body: { reason: 'depot break-in' },
        })
      ).status,
    ).toBe(200);
    const bundle = await app.request('GET', '/v1/batteries/SN-THEFT/bundle', { as: cast.ownerA });
    const jwks = createRemoteJWKSet(new URL(`${app.baseUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(bundle.text, jwks, { algorithms: ['ES256'] });
    expect(payload.locked).toBe(true);
    expect(payload.keys).toEqual([expect.objectContaining({ caps: ['status.read'] })]);
    const newKey = await issueKey(
      app,
      cast.ownerA,
      'SN-THEFT',
      { personId: 'tim', partyId: 'workshop' },
      ['charge'],
    );
    expect(newKey).toMatchObject({ status: 409, body: { code: 'battery-stolen' } });
  });

  it('answers a retried Idempotency-Key with the first result and records nothing new', async () => {
    await provision(app, cast, 'SN-IDEM');
    const { publicJwk } = await newPublicJwk();
    const body = {
      keyId: 'k-idem',
      holder: { personId: 'tom', partyId: 'workshop' },
      publicKey: publicJwk,
      capabilities: ['charge'],
      notAfter: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    };
    const first = await app.request('POST', '/v1/batteries/SN-IDEM/keys', {
      as: cast.ownerA,
      body,
      headers: { 'idempotency-key': 'issue-k-idem' },
    });
    const retry = await app.request('POST', '/v1/batteries/SN-IDEM/keys', {
      as: cast.ownerA,
      body,
      headers: { 'idempotency-key': 'issue-k-idem' },
    });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual({ ...first.body, replayed: true });
    const history = await app.request('GET', '/v1/batteries/SN-IDEM/history', { as: cast.ownerA });
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual([
      'BatteryProvisioned',
      'KeyIssued',
    ]);

    const reused = await app.request('POST', '/v1/batteries/SN-IDEM/keys', {
      as: cast.ownerA,
      body: { ...body, capabilities: ['discharge'] },
      headers: { 'idempotency-key': 'issue-k-idem' },
    });
    expect(reused).toMatchObject({ status: 422, body: { code: 'idempotency-key-reused' } });
  });

  it('refuses a change decided on a stale revision with 409 and the current revision', async () => {
    await provision(app, cast, 'SN-REV');
    const current = await app.request('GET', '/v1/batteries/SN-REV', { as: cast.ownerA });
    expect(current.headers.get('etag')).toBe('"0"');
    await issueKey(app, cast.ownerA, 'SN-REV', { personId: 'tom', partyId: 'workshop' }, [
      'charge',
    ]);
    const stale = await app.request('POST', '/v1/batteries/SN-REV/theft-report', {
      as: cast.ownerA,
      headers: { 'if-match': '"0"' },
    });
    expect(stale).toMatchObject({
      status: 409,
      body: { code: 'concurrency-conflict', currentRevision: 1 },
    });
    const fresh = await app.request('POST', '/v1/batteries/SN-REV/theft-report', {
      as: cast.ownerA,
      headers: { 'if-match': '"1"' },
    });
    expect(fresh.status).toBe(200);
  });

  it('lists batteries by owner, paged, and only for the owner itself', async () => {
    for (const serial of ['SN-LIST-1', 'SN-LIST-2', 'SN-LIST-3'])
      await provision(app, cast, serial);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { items: { serial: string }[]; nextCursor: string | null } } =
        await app.request(
          'GET',
          `/v1/batteries?owner=lessor-a&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          { as: cast.ownerA },
        );
      seen.push(...page.body.items.map((b) => b.serial));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(expect.arrayContaining(['SN-LIST-1', 'SN-LIST-2', 'SN-LIST-3']));
    expect(seen).toEqual([...seen].sort());
    expect(
      (await app.request('GET', '/v1/batteries?owner=lessor-a', { as: cast.ownerB })).status,
    ).toBe(403);
  });

  it('audits across batteries by party, person and time range', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    await provision(app, cast, 'SN-AUDIT');
    await issueKey(app, cast.ownerA, 'SN-AUDIT', { personId: 'tom', partyId: 'workshop' }, [
      'charge',
    ]);
    const byAlice = await app.request(
      'GET',
      `/v1/audit?party=lessor-a&person=alice&from=${encodeURIComponent(from)}&limit=500`,
      { as: cast.ownerA },
    );
    expect(byAlice.status).toBe(200);
    expect(byAlice.body.items.length).toBeGreaterThan(0);
    for (const entry of byAlice.body.items)
      expect(entry.actor).toMatchObject({ partyId: 'lessor-a', personId: 'alice' });
    expect(
      byAlice.body.items.some(
        (e: { streamId: string; type: string }) =>
          e.streamId === 'battery-SN-AUDIT' && e.type === 'KeyIssued',
      ),
    ).toBe(true);
    const future = await app.request(
      'GET',
      `/v1/audit?party=lessor-a&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      { as: cast.ownerA },
    );
    expect(future.body.items).toEqual([]);
    // The range is [from, to): an entry's own instant is in `from` and out of `to`, to the millisecond.
    const issued = byAlice.body.items.find(
      (e: { streamId: string; type: string }) =>
        e.streamId === 'battery-SN-AUDIT' && e.type === 'KeyIssued',
    ) as { eventId: string; occurredAt: string };
    const eventIdsIn = async (range: string) =>
      (
        await app.request('GET', `/v1/audit?party=lessor-a&person=alice&limit=500&${range}`, {
          as: cast.ownerA,
        })
      ).body.items.map((e: { eventId: string }) => e.eventId);
    const at = encodeURIComponent(issued.occurredAt);
    const justAfter = encodeURIComponent(new Date(Date.parse(issued.occurredAt) + 1).toISOString());
    expect(await eventIdsIn(`from=${at}&to=${justAfter}`)).toContain(issued.eventId);
    expect(await eventIdsIn(`from=${encodeURIComponent(from)}&to=${at}`)).not.toContain(
      issued.eventId,
    );
    expect((await app.request('GET', '/v1/audit?party=lessor-b', { as: cast.ownerA })).status).toBe(
      403,
    );
    const auditor = await app.caller('audrey', 'platform', ['auditor']);
    expect((await app.request('GET', '/v1/audit?party=lessor-b', { as: auditor })).status).toBe(
      200,
    );
  });

  it('serves the OpenAPI document and health without a token', async () => {
    const openapi = await app.request('GET', '/docs/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/v1/batteries', '/v1/batteries/{serial}/bundle', '/v1/audit']),
    );
    expect((await app.request('GET', '/health')).body).toMatchObject({ status: 'ok' });
  });

  it('keeps hard limits out of reach: provisioning parameters outside them are refused with a clear error', async () => {
    const { publicJwk } = await newPublicJwk('ES256');
    const typo = await app.request('POST', '/v1/batteries', {
      as: cast.provisioner,
      body: {
        serial: 'SN-TYPO',
        model: 'T2',
        chemistry: 'NMC',
        manufacturerId: 'oem',
        firstOwnerId: 'lessor-a',
        hardLimits: HARD_LIMITS,
        deviceKey: publicJwk,
        parameters: {
          socMinPercent: 10,
          socMaxPercent: 90,
          chargeCellVoltageMaxV: 5.25,
          chargeCurrentLimitA: 50,
          dischargeCurrentLimitA: 100,
        },
      },
    });
    expect(typo).toMatchObject({ status: 422, body: { code: 'outside-hard-limits' } });
    expect(typo.body.detail).toContain('5.25 V');
    expect(typo.headers.get('content-type')).toContain('application/problem+json');
  });
});
