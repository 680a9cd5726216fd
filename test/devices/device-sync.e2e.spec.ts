import { decodeProtectedHeader } from 'jose';
import { createDeviceProof, mayExercise, verifyBundle } from '../../src/device-verifier';
import { acknowledgeBundle, pullBundleOnce } from '../../src/device-simulator';
import { issueKey, provision, registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { provisionDevice } from './support/device-harness';

const now = () => Math.floor(Date.now() / 1000);
const tom = { personId: 'tom', partyId: 'workshop' };

describe('device sync over HTTP: authenticated pulls, acknowledgements and fleet exposure', () => {
  let app: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
  });
  afterAll(async () => app.stop());

  it('revoking a key exposes the battery until its device pulls, verifies, applies and acknowledges the new bundle', async () => {
    const device = await provisionDevice(app, cast, 'SN-EXPOSE');
    const issued = await issueKey(
      app,
      cast.ownerA,
      'SN-EXPOSE',
      { personId: 'tom', partyId: 'workshop' },
      ['diagnostics.read'],
    );
    const { keyId, publicKey } = issued.body.events[0].data;
    const kid = publicKey.thumbprint as string;
    const simulated = device.simulated(app);

    expect(await simulated.sync()).toMatchObject({ kind: 'applied', ver: 2 });
    expect(mayExercise(simulated.state, kid, 'diagnostics.read', now())).toBe(true);

    const revoked = await app.request('POST', `/v1/batteries/SN-EXPOSE/keys/${keyId}/revoke`, {
      as: cast.ownerA,
      body: { reason: 'technician left' },
    });
    expect(revoked.status).toBe(200);
    const exposure = () =>
      app.request('GET', `/v1/fleet/exposure?owner=lessor-a&kid=${kid}`, { as: cast.ownerA });
    const exposed = await exposure();
    expect(exposed.status).toBe(200);
    expect(exposed.body.items).toEqual([
      expect.objectContaining({
        serial: 'SN-EXPOSE',
        keyId,
        kid,
        revokedAt: expect.any(String),
        applied: expect.objectContaining({ ver: 2 }),
        currentVersion: 3,
      }),
    ]);
    const lagging = await app.request('GET', '/v1/devices/SN-EXPOSE/sync', { as: cast.ownerA });
    expect(lagging.body).toMatchObject({
      current: { ver: 3 },
      applied: { ver: 2 },
      lagging: true,
      lagSince: expect.any(String),
      exposures: [{ keyId }],
    });

    expect(await simulated.sync()).toMatchObject({ kind: 'applied', ver: 3 });
    expect(mayExercise(simulated.state, kid, 'diagnostics.read', now())).toBe(false);
    expect((await exposure()).body.items).toEqual([]);
    const synced = await app.request('GET', '/v1/devices/SN-EXPOSE/sync', { as: cast.ownerA });
    expect(synced.body).toMatchObject({
      current: { ver: 3 },
      applied: { ver: 3 },
      lagging: false,
      lagSince: null,
      exposures: [],
    });
    expect(await simulated.sync()).toEqual({ kind: 'current' });
  });

  it('records the acknowledgement in the device stream, by the device, without moving the bundle version', async () => {
    const device = await provisionDevice(app, cast, 'SN-ACK');
    const first = await pullBundleOnce({ baseUrl: app.baseUrl, device: device.identity });
    const verdict = await verifyBundle(
      first.envelope,
      device.profile,
      device.initialState(),
      now(),
    );
    if (!verdict.accepted) throw new Error(verdict.reason);
    const { ver, iat } = verdict.claims;

    const ack = await acknowledgeBundle({
      baseUrl: app.baseUrl,
      device: device.identity,
      ver,
      iat,
    });
    expect(ack).toMatchObject({ status: 201 });
    const again = await acknowledgeBundle({
      baseUrl: app.baseUrl,
      device: device.identity,
      ver,
      iat,
    });
    expect(again).toMatchObject({ status: 201, replayed: true });

    const history = await app.request('GET', '/v1/devices/SN-ACK/history', { as: cast.ownerA });
    expect(history.body.items).toEqual([
      expect.objectContaining({
        type: 'BundleApplied',
        streamId: 'device-SN-ACK',
        data: expect.objectContaining({ ver, iat }),
        actor: { personId: 'device:SN-ACK', partyId: 'oem', role: 'device' },
      }),
    ]);
    const unchanged = await pullBundleOnce({
      baseUrl: app.baseUrl,
      device: device.identity,
      etag: first.etag as string,
    });
    expect(unchanged.status).toBe(304);
    expect(
      (await app.request('GET', '/v1/batteries/SN-ACK', { as: cast.ownerA })).body.bundleVersion,
    ).toBe(ver);
  });

  it('refuses acknowledgements of versions never served, older than the last, or not covered by the proof', async () => {
    const device = await provisionDevice(app, cast, 'SN-ACK-BAD');
    await issueKey(app, cast.ownerA, 'SN-ACK-BAD', { personId: 'tom', partyId: 'workshop' }, [
      'charge',
    ]);
    const pulled = await pullBundleOnce({ baseUrl: app.baseUrl, device: device.identity });
    const verdict = await verifyBundle(
      pulled.envelope,
      device.profile,
      device.initialState(),
      now(),
    );
    if (!verdict.accepted) throw new Error(verdict.reason);
    const { ver, iat } = verdict.claims;

    expect(
      await acknowledgeBundle({ baseUrl: app.baseUrl, device: device.identity, ver: ver + 5, iat }),
    ).toMatchObject({ status: 409, code: 'bundle-never-served' });
    expect(
      await acknowledgeBundle({
        baseUrl: app.baseUrl,
        device: device.identity,
        ver,
        iat: iat + 3600,
      }),
    ).toMatchObject({ status: 409, code: 'bundle-never-served' });
    expect(
      await acknowledgeBundle({ baseUrl: app.baseUrl, device: device.identity, ver, iat }),
    ).toMatchObject({ status: 201 });
    expect(
      await acknowledgeBundle({ baseUrl: app.baseUrl, device: device.identity, ver: ver - 1, iat }),
    ).toMatchObject({ status: 409, code: 'acknowledgement-older-than-last' });

    const url = `${app.baseUrl}/v1/devices/SN-ACK-BAD/acknowledgements`;
    const proof = await createDeviceProof(device.identity, {
      method: 'POST',
      url,
      now: now(),
      ack: { ver, iat },
    });
    const tampered = await app.request('POST', '/v1/devices/SN-ACK-BAD/acknowledgements', {
      body: { ver: ver + 1, iat },
      headers: { 'device-proof': proof },
    });
    expect(tampered).toMatchObject({ status: 401, body: { code: 'device-proof-ack-mismatch' } });
    const malformed = await app.request('POST', '/v1/devices/SN-ACK-BAD/acknowledgements', {
      body: { ver: 'three' },
      headers: {
        'device-proof': await createDeviceProof(device.identity, {
          method: 'POST',
          url,
          now: now(),
        }),
      },
    });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'invalid-request' } });
  });

  it('answers 304 to the current ETag, and a long-poll wakes on the change instead of waiting out its time', async () => {
    const device = await provisionDevice(app, cast, 'SN-POLL');
    const first = await pullBundleOnce({ baseUrl: app.baseUrl, device: device.identity });
    const etag = first.etag as string;

    const quiet = await pullBundleOnce({
      baseUrl: app.baseUrl,
      device: device.identity,
      etag,
      waitSeconds: 1,
    });
    expect(quiet.status).toBe(304);
    expect(quiet.elapsedMs).toBeGreaterThanOrEqual(900);

    const waiting = pullBundleOnce({
      baseUrl: app.baseUrl,
      device: device.identity,
      etag,
      waitSeconds: 20,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await issueKey(app, cast.ownerA, 'SN-POLL', { personId: 'tom', partyId: 'workshop' }, [
      'charge',
    ]);
    const woken = await waiting;
    expect(woken.status).toBe(200);
    expect(woken.elapsedMs).toBeLessThan(5000);
    expect(woken.etag).not.toBe(etag);
    expect(
      JSON.parse(
        Buffer.from((woken.envelope?.bundle as string).split('.')[1], 'base64url').toString(),
      ).ver,
    ).toBe(2);
  });

  it('encrypts the bundle to a P-256 device key on request, and refuses to for an Ed25519 one rather than send it in clear', async () => {
    const device = await provisionDevice(app, cast, 'SN-JWE');
    await issueKey(
      app,
      cast.ownerA,
      'SN-JWE',
      { personId: 'tom-secret-holder', partyId: 'workshop' },
      ['charge'],
    );
    const encrypted = await pullBundleOnce({
      baseUrl: app.baseUrl,
      device: device.identity,
      encrypt: true,
    });
    expect(encrypted.status).toBe(200);
    const jwe = encrypted.envelope?.bundle as string;
    expect(jwe.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(jwe)).toMatchObject({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      kid: device.identity.thumbprint,
    });
    expect(Buffer.from(jwe.split('.')[3], 'base64url').toString('latin1')).not.toContain(
      'tom-secret-holder',
    );
    const verdict = await verifyBundle(
      encrypted.envelope,
      { ...device.profile, requireEncryption: true },
      device.initialState(),
      now(),
    );
    expect(verdict).toMatchObject({
      accepted: true,
      claims: {
        keys: [
          expect.objectContaining({ holder: { person: 'tom-secret-holder', party: 'workshop' } }),
        ],
      },
    });

    const ed25519 = await provisionDevice(app, cast, 'SN-JWE-ED', 'EdDSA');
    const refused = await pullBundleOnce({
      baseUrl: app.baseUrl,
      device: ed25519.identity,
      encrypt: true,
    });
    expect(refused).toMatchObject({ status: 422, code: 'encryption-needs-p256-device-key' });
    const plain = await pullBundleOnce({ baseUrl: app.baseUrl, device: ed25519.identity });
    expect(plain.status).toBe(200);
    expect(
      await verifyBundle(plain.envelope, ed25519.profile, ed25519.initialState(), now()),
    ).toMatchObject({ accepted: true });
  });

  it('shows sync status and fleet lists to related parties, platform admins and auditors only', async () => {
    await provisionDevice(app, cast, 'SN-FLEET');
    expect(
      (await app.request('GET', '/v1/devices/SN-FLEET/sync', { as: cast.outsider })).status,
    ).toBe(404);
    expect((await app.request('GET', '/v1/devices/SN-NOPE/sync', { as: cast.ownerA })).status).toBe(
      404,
    );
    const mine = await app.request('GET', '/v1/fleet/lagging?owner=lessor-a&limit=500', {
      as: cast.ownerA,
    });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ serial: 'SN-FLEET', applied: null, lagging: true }),
      ]),
    );
    expect(
      (await app.request('GET', '/v1/fleet/lagging?owner=lessor-a', { as: cast.ownerB })).status,
    ).toBe(403);
    expect((await app.request('GET', '/v1/fleet/exposure', { as: cast.ownerA })).status).toBe(403);
    const auditor = await app.caller('audrey', 'platform', ['auditor']);
    expect((await app.request('GET', '/v1/fleet/exposure', { as: auditor })).status).toBe(200);
    expect(
      (await app.request('GET', '/v1/fleet/lagging?owner=Not_A_Party', { as: auditor })).status,
    ).toBe(400);

    const paged: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { items: { serial: string }[]; nextCursor: string | null } } =
        await app.request('GET', `/v1/fleet/lagging?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
          as: auditor,
        });
      paged.push(...page.body.items.map((item) => item.serial));
      cursor = page.body.nextCursor;
    }
    expect(paged).toEqual([...new Set(paged)].sort());
    expect(paged).toContain('SN-FLEET');
  });

  it('lists exposure oldest revocation first, paged without gaps or repeats through ties', async () => {
    type ExposureItem = { serial: string; keyId: string; revokedAt: string };
    type ExposurePage = { items: ExposureItem[]; nextCursor: string | null };
    const auditor = await app.caller('audrey', 'platform', ['auditor']);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    // Revoked in an order that is not the serials' order: C, then A, then B.
    const keys = new Map<string, string>();
    for (const serial of ['SN-ORDER-A', 'SN-ORDER-B', 'SN-ORDER-C']) {
      await provision(app, cast, serial);
      const issued = await issueKey(app, cast.ownerA, serial, tom, ['diagnostics.read']);
      keys.set(serial, issued.body.events[0].data.keyId as string);
    }
    for (const serial of ['SN-ORDER-C', 'SN-ORDER-A', 'SN-ORDER-B']) {
      await pause(); // distinct revocation instants (millisecond precision)
      const revoked = await app.request(
        'POST',
        `/v1/batteries/${serial}/keys/${keys.get(serial)}/revoke`,
        { as: cast.ownerA, body: { reason: 'rotation' } },
      );
      expect(revoked.status).toBe(200);
    }
    // Last, a transfer revokes two keys in one event: one revocation instant for both.
    await pause();
    await provision(app, cast, 'SN-ORDER-T');
    for (const _ of [1, 2])
      await issueKey(app, cast.ownerA, 'SN-ORDER-T', tom, ['diagnostics.read']);
    await app.request('POST', '/v1/batteries/SN-ORDER-T/transfers', {
      as: cast.ownerA,
      body: { toOwnerId: 'lessor-b', transferId: 'order-t' },
    });
    const accepted = await app.request(
      'POST',
      '/v1/batteries/SN-ORDER-T/transfers/order-t/accept',
      {
        as: cast.ownerB,
      },
    );
    expect(accepted.status).toBe(200);

    const whole = (await app.request('GET', '/v1/fleet/exposure?limit=500', { as: auditor }))
      .body as ExposurePage;
    expect(whole.nextCursor).toBeNull();
    // One item per page: every page boundary is a cursor, the two tied keys' included.
    const paged: ExposureItem[] = [];
    let cursor: string | null = '';
    for (let pages = 0; cursor !== null && pages < 200; pages++) {
      const page: { status: number; body: ExposurePage } = await app.request(
        'GET',
        `/v1/fleet/exposure?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { as: auditor },
      );
      expect(page.status).toBe(200);
      paged.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(cursor).toBeNull();
    expect(paged).toEqual(whole.items);
    const sortKey = (e: ExposureItem) => `${e.revokedAt} ${e.serial} ${e.keyId}`;
    expect(paged.map(sortKey)).toEqual(paged.map(sortKey).sort());
    expect(new Set(paged.map(sortKey)).size).toBe(paged.length);

    const ours = paged.filter((e) => e.serial.startsWith('SN-ORDER-'));
    expect(ours.map((e) => e.serial)).toEqual([
      'SN-ORDER-C',
      'SN-ORDER-A',
      'SN-ORDER-B',
      'SN-ORDER-T',
      'SN-ORDER-T',
    ]);
    const [first, second] = ours.slice(3);
    expect(first.revokedAt).toBe(second.revokedAt);
    expect(first.keyId < second.keyId).toBe(true);

    // The owner's view of the same order, and the cursor is checked: not one of ours is a 400.
    const mine = await app.request('GET', '/v1/fleet/exposure?owner=lessor-a&limit=500', {
      as: cast.ownerA,
    });
    expect(
      (mine.body as ExposurePage).items
        .filter((e) => e.serial.startsWith('SN-ORDER-'))
        .map((e) => e.serial),
    ).toEqual(['SN-ORDER-C', 'SN-ORDER-A', 'SN-ORDER-B']);
    const forged = Buffer.from('SN-ORDER-A key').toString('base64url');
    for (const bad of ['not a cursor', forged, 'A'.repeat(207)]) {
      const refused = await app.request(
        'GET',
        `/v1/fleet/exposure?cursor=${encodeURIComponent(bad)}`,
        { as: auditor },
      );
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'invalid-request' });
    }
  });

  it('documents the device routes in OpenAPI', async () => {
    const openapi = await app.request('GET', '/docs/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/devices/{serial}/bundle',
        '/v1/devices/{serial}/acknowledgements',
        '/v1/devices/{serial}/sync',
        '/v1/fleet/lagging',
        '/v1/fleet/exposure',
      ]),
    );
  });
});
