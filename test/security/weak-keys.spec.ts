import { compactVerify, importJWK } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import type { JsonObject } from '../../src/event-store/event-store.port';
import { HARD_LIMITS, provision, registerCast, type Cast } from '../support/fleet-scenario';
import { newPublicJwk, TestApp } from '../support/test-app';

/**
 * Issue 9, class 2. A chip that failed reports x = 32 zero bytes as its Ed25519 key: a point of
 * order 4. Against such a key the "signature" R = identity, S = 0 verifies for one message in four
 * ([S]B = R + [k]A holds whenever 4 | k), so anyone can speak for the battery without a private key.
 */
const FAILED_CHIP_KEY = { kty: 'OKP', crv: 'Ed25519', x: Buffer.alloc(32).toString('base64url') };
/** Another small-order point (order 8), offered as a holder key. */
const ORDER_8_POINT = {
  kty: 'OKP',
  crv: 'Ed25519',
  x: Buffer.from(
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'hex',
  ).toString('base64url'),
};
const IDENTITY_AND_ZERO = Buffer.concat([
  Buffer.from([1]),
  Buffer.alloc(31),
  Buffer.alloc(32),
]).toString('base64url');
const SERIAL = 'SN-FAILED-CHIP';
const b64json = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const epoch = () => Math.floor(Date.now() / 1000);
const inThirtyDays = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

describe("An outsider with a failed chip's key impersonates a battery", () => {
  let app: TestApp;
  let cast: Cast;
  let thumbprint: string;

  const auditCount = async () =>
    (await app.request('GET', '/v1/audit?limit=500', { as: cast.platform })).body.items.length;

  /**
   * A proof no private key made: R = identity, S = 0, with a jti tried until the signature
   * verifies under the small-order key exactly as the verifier before the fix checked it (jose).
   */
  async function forgedProof(claims: Record<string, unknown>): Promise<string> {
    const key = await importJWK(FAILED_CHIP_KEY, 'EdDSA');
    const header = b64json({ alg: 'EdDSA', typ: 'battery-device-proof+jwt', kid: thumbprint });
    for (;;) {
      const proof = `${header}.${b64json({ ...claims, jti: randomBytes(16).toString('base64url'), iat: epoch() })}.${IDENTITY_AND_ZERO}`;
      const verified = await compactVerify(proof, key, { algorithms: ['EdDSA'] }).then(
        () => true,
        () => false,
      );
      if (verified) return proof;
    }
  }

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    // The battery a service before the fix recorded: provisioned with a real key, its event then
    // copied under another serial with the failed chip's key, straight into the store.
    await provision(app, cast, 'SN-TEMPLATE');
    await app.stop({ keepData: true });
    const store = new SqliteEventStore(join(app.dataDir, 'events.db'));
    const template = (await store.readAll()).find(
      (event) => event.type === 'BatteryProvisioned' && event.data.serial === 'SN-TEMPLATE',
    );
    if (!template) throw new Error('no BatteryProvisioned event to copy');
    thumbprint = await (await import('jose')).calculateJwkThumbprint(FAILED_CHIP_KEY);
    const data = {
      ...template.data,
      serial: SERIAL,
      deviceKey: { jwk: FAILED_CHIP_KEY, thumbprint },
    } as JsonObject;
    await store.appendToStream(
      template.streamId.replace('SN-TEMPLATE', SERIAL),
      [{ id: randomUUID(), type: template.type, data, metadata: template.metadata }],
      'no_stream',
    );
    await store.dispose();
    app = await TestApp.start({}, app.dataDir);
    for (
      let tries = 0;
      (await app.request('GET', `/v1/batteries/${SERIAL}`, { as: cast.ownerA })).status !== 200;
      tries++
    ) {
      if (tries > 100) throw new Error(`${SERIAL} never reached the read model`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(async () => app.stop());

  it('cannot register the small-order key as a device key: 422 weak-public-key, nothing recorded', async () => {
    const before = await auditCount();
    const response = await app.request('POST', '/v1/batteries', {
      as: cast.provisioner,
      body: {
        serial: 'SN-NEW-CHIP',
        model: 'T2',
        chemistry: 'NMC',
        manufacturerId: 'oem',
        firstOwnerId: 'lessor-a',
        hardLimits: HARD_LIMITS,
        deviceKey: FAILED_CHIP_KEY,
      },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      code: 'weak-public-key',
      field: 'deviceKey',
      weakness: 'small-order',
      detail: expect.stringMatching(/^deviceKey is a small-order point/),
    });
    expect(
      (await app.request('GET', '/v1/batteries/SN-NEW-CHIP', { as: cast.ownerA })).status,
    ).toBe(404);
    expect(await auditCount()).toBe(before);
  });

  it('cannot register a small-order point as a holder key: 422 weak-public-key, nothing recorded', async () => {
    const before = await auditCount();
    const response = await app.request('POST', '/v1/batteries/SN-TEMPLATE/keys', {
      as: cast.ownerA,
      body: {
        keyId: 'k-weak',
        holder: { personId: 'mallory', partyId: 'workshop' },
        publicKey: ORDER_8_POINT,
        capabilities: ['charge'],
        notAfter: inThirtyDays(),
      },
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'weak-public-key',
      field: 'publicKey',
      weakness: 'small-order',
    });
    expect(await auditCount()).toBe(before);
  });

  it('cannot pull the bundle or acknowledge it for a battery recorded with that key before the fix: 401, exposure unchanged', async () => {
    // A holder key revoked on the battery: exposed until the device acknowledges a bundle without it.
    const { publicJwk } = await newPublicJwk();
    const issued = await app.request('POST', `/v1/batteries/${SERIAL}/keys`, {
      as: cast.ownerA,
      body: {
        keyId: 'k-tom',
        holder: { personId: 'tom', partyId: 'workshop' },
        publicKey: publicJwk,
        capabilities: ['charge'],
        notAfter: inThirtyDays(),
      },
    });
    expect(issued.status).toBe(201);
    const revoked = await app.request('POST', `/v1/batteries/${SERIAL}/keys/k-tom/revoke`, {
      as: cast.ownerA,
      body: { reason: 'left the workshop' },
    });
    expect(revoked.status).toBe(200);
    const minPosition = { 'x-min-position': String(revoked.body.position ?? '0') };
    const statusBefore = await app.request('GET', `/v1/devices/${SERIAL}/sync`, {
      as: cast.ownerA,
      headers: minPosition,
    });
    expect(statusBefore.status).toBe(200);
    expect(statusBefore.body.exposures).toEqual([expect.objectContaining({ keyId: 'k-tom' })]);
    const exposure = () =>
      app.request('GET', '/v1/fleet/exposure?owner=lessor-a', { as: cast.ownerA });
    const exposureBefore = await exposure();
    expect(exposureBefore.status).toBe(200);
    expect(exposureBefore.body.items).toEqual([
      expect.objectContaining({ serial: SERIAL, keyId: 'k-tom', applied: null }),
    ]);

    const bundleUrl = `${app.baseUrl}/v1/devices/${SERIAL}/bundle`;
    const pull = await app.request('GET', `/v1/devices/${SERIAL}/bundle`, {
      headers: { 'device-proof': await forgedProof({ htm: 'GET', htu: bundleUrl, sub: SERIAL }) },
    });
    expect(pull.status).toBe(401);
    expect(pull.body).toMatchObject({ code: 'device-proof-weak-key' });
    expect(pull.text).not.toContain('"bundle"');

    const ack = {
      ver: statusBefore.body.current.ver,
      iat: Math.floor(Date.parse(statusBefore.body.current.since) / 1000),
    };
    const ackUrl = `${app.baseUrl}/v1/devices/${SERIAL}/acknowledgements`;
    const acknowledged = await app.request('POST', `/v1/devices/${SERIAL}/acknowledgements`, {
      headers: {
        'device-proof': await forgedProof({ htm: 'POST', htu: ackUrl, sub: SERIAL, ack }),
      },
      body: ack,
    });
    expect(acknowledged.status).toBe(401);
    expect(acknowledged.body).toMatchObject({ code: 'device-proof-weak-key' });

    const statusAfter = await app.request('GET', `/v1/devices/${SERIAL}/sync`, { as: cast.ownerA });
    expect(statusAfter.body).toEqual(statusBefore.body);
    expect((await exposure()).body).toEqual(exposureBefore.body);
  });
});
