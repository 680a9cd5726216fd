import {
  base64url,
  calculateJwkThumbprint,
  CompactEncrypt,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import { createHmac, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import {
  createDeviceProof,
  initialDeviceState,
  mayExercise,
  verifyBundle,
  type DeviceProfile,
  type DeviceState,
  type EcPublicJwk,
} from '../../src/device-verifier';
import { acknowledgeBundle, pullBundleOnce } from '../../src/device-simulator';
import { BundleService } from '../../src/bundles/application/bundle.service';
import { SignedBundleCache } from '../../src/bundles/application/signed-bundle-cache';
import type { BatteryReadModel, BatteryRow } from '../../src/batteries/queries/battery-read-model';
import { Es256BundleSigner } from '../../src/signing/es256-bundle-signer';
import { generatePrivateJwk, LocalEs256Key } from '../../src/signing/local-es256-key';
import { createTrust } from '../../src/signing/trust/trust-issuance';
import type { TrustFile } from '../../src/signing/trust/trust-file';
import { issueKey, registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import {
  bundleClaims,
  eddsaSigned,
  envelopeOf,
  forgedUnderKid,
  HARD_LIMITS,
  hmacWithPublicKey,
  signBundle,
  unsignedBundle,
} from '../devices/support/bundle-forge';
import { provisionDevice, type TestDevice } from '../devices/support/device-harness';

/**
 * Every attack named in the requirements for the key bundle (shared/design/key-bundle.md), run
 * against the reference device verifier and against the service's own checks.
 */
const ISSUER = 'urn:battery-keys:bundle-service';
const T = 1_800_000_000;
const SERIAL = 'SN-VICTIM';
const epoch = () => Math.floor(Date.now() / 1000);
const payloadOf = (jws: string) =>
  JSON.parse(new TextDecoder().decode(base64url.decode(jws.split('.')[1]))) as Record<
    string,
    unknown
  >;

describe('attacks on the key bundle and the device exchange', () => {
  // The device side: fixed keys, a fake clock.
  let root: LocalEs256Key;
  let online: LocalEs256Key;
  let attacker: LocalEs256Key;
  let trust: TrustFile;
  let profile: DeviceProfile;
  let devicePrivateJwk: JWK;
  let applied: DeviceState;
  const claims = (ver: number, iat: number, overrides: Record<string, unknown> = {}) =>
    bundleClaims(
      {
        serial: SERIAL,
        deviceThumbprint: profile.identityThumbprint,
        ver,
        iat,
        holder: { kid: attacker.kid, jwk: attacker.publicJwk },
      },
      overrides,
    );
  const verify = async (
    bundle: string,
    state = applied,
    now = T + 60,
    overrides: Partial<DeviceProfile> = {},
  ) => verifyBundle(envelopeOf(bundle, trust), { ...profile, ...overrides }, state, now);

  // The service side: the real app over HTTP.
  let app: TestApp;
  let cast: Cast;
  let victim: TestDevice;
  let neighbour: TestDevice;

  beforeAll(async () => {
    [root, online, attacker] = await Promise.all(
      [1, 2, 3].map(async () => LocalEs256Key.fromPrivateJwk(await generatePrivateJwk())),
    );
    trust = await createTrust(root, [online.publicJwk], 365, { issuer: ISSUER, now: T - 86_400 });
    devicePrivateJwk = await generatePrivateJwk();
    const { d: _d, ...devicePublic } = devicePrivateJwk;
    profile = {
      serial: SERIAL,
      identityThumbprint: await calculateJwkThumbprint(devicePublic),
      identityPrivateKey: createPrivateKey({
        key: devicePrivateJwk as import('node:crypto').JsonWebKey,
        format: 'jwk',
      }),
      issuer: ISSUER,
      pinnedRoot: { kid: root.kid, jwk: root.publicJwk as EcPublicJwk },
      hardLimits: HARD_LIMITS,
    };
    const first = await verifyBundle(
      envelopeOf(await signBundle(online, claims(5, T - 600)), trust),
      profile,
      initialDeviceState(profile),
      T - 590,
    );
    if (!first.accepted) throw new Error(first.reason);
    applied = first.state;

    app = await TestApp.start();
    cast = await registerCast(app);
    victim = await provisionDevice(app, cast, 'SN-A');
    neighbour = await provisionDevice(app, cast, 'SN-B');
  });
  afterAll(async () => app.stop());

  const bundleUrl = (serial: string) => `${app.baseUrl}/v1/devices/${serial}/bundle`;
  const pullWith = (serial: string, proof: string) =>
    app.request('GET', `/v1/devices/${serial}/bundle`, { headers: { 'device-proof': proof } });
  /** A proof with any header and claims, signed by the given device's key. */
  const craftedProof = (
    device: TestDevice,
    claimsOverrides: Record<string, unknown>,
    header: Record<string, unknown> = {},
  ) =>
    new SignJWT({
      htm: 'GET',
      htu: bundleUrl(device.identity.serial),
      sub: device.identity.serial,
      jti: randomBytes(16).toString('base64url'),
      iat: epoch(),
      ...claimsOverrides,
    })
      .setProtectedHeader({
        alg: 'ES256',
        typ: 'battery-device-proof+jwt',
        kid: device.identity.thumbprint,
        ...header,
      })
      .sign(device.identity.privateKey);

  describe('forged bundles', () => {
    it('device: refuses a bundle signed by a key the root does not vouch for, and one forged under the online key’s kid', async () => {
      expect(await verify(await signBundle(attacker, claims(6, T)))).toMatchObject({
        accepted: false,
        reason: 'unknown-kid',
      });
      expect(await verify(await forgedUnderKid(attacker, online.kid, claims(6, T)))).toMatchObject({
        accepted: false,
        reason: 'bad-signature',
      });
    });

    it('service: refuses a proof forged with another key under the device’s kid, and serves bundles that verify only with its delegated key', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({
        htm: 'GET',
        htu: bundleUrl('SN-A'),
        sub: 'SN-A',
        jti: randomBytes(16).toString('base64url'),
        iat: epoch(),
      })
        .setProtectedHeader({
          alg: 'ES256',
          typ: 'battery-device-proof+jwt',
          kid: victim.identity.thumbprint,
        })
        .sign(privateKey);
      expect(await pullWith('SN-A', forged)).toMatchObject({
        status: 401,
        body: { code: 'device-proof-bad-signature' },
      });

      const pulled = await pullBundleOnce({ baseUrl: app.baseUrl, device: victim.identity });
      const jwks = (await app.request('GET', '/.well-known/jwks.json')).body;
      await expect(
        jwtVerify(pulled.envelope!.bundle, createLocalJWKSet(jwks), {
          algorithms: ['ES256'],
          typ: 'battery-key-bundle+jwt',
        }),
      ).resolves.toBeTruthy();
      const stranger = {
        ...(await exportJWK((await generateKeyPair('ES256')).publicKey)),
        kid: jwks.keys[0].kid,
      };
      await expect(
        jwtVerify(pulled.envelope!.bundle, createLocalJWKSet({ keys: [stranger] }), {
          algorithms: ['ES256'],
        }),
      ).rejects.toThrow(/signature/);
    });
  });

  describe('mix-and-match (a bundle bound to another device key)', () => {
    it('device: refuses a genuine bundle whose aud names another device key', async () => {
      const other = `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${attacker.kid}`;
      expect(await verify(await signBundle(online, claims(6, T, { aud: other })))).toMatchObject({
        accepted: false,
        reason: 'wrong-device-key',
      });
    });

    it('service: binds each bundle to the registered device key, and refuses a proof made with a foreign key', async () => {
      const pulled = await pullBundleOnce({ baseUrl: app.baseUrl, device: victim.identity });
      expect(payloadOf(pulled.envelope!.bundle).aud).toBe(
        `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${victim.identity.thumbprint}`,
      );
      const foreign = await createDeviceProof(
        { ...neighbour.identity, serial: 'SN-A' },
        { method: 'GET', url: bundleUrl('SN-A'), now: epoch() },
      );
      expect(await pullWith('SN-A', foreign)).toMatchObject({
        status: 401,
        body: { code: 'device-proof-unknown-key' },
      });
    });
  });

  describe('replay to another battery', () => {
    it('device: refuses a genuine bundle of another battery', async () => {
      expect(
        await verify(await signBundle(online, claims(6, T, { sub: 'SN-OTHER' }))),
      ).toMatchObject({ accepted: false, reason: 'wrong-serial' });
    });

    it('service: a proof is bound to its battery, URL and method', async () => {
      const forA = await createDeviceProof(victim.identity, {
        method: 'GET',
        url: bundleUrl('SN-A'),
        now: epoch(),
      });
      expect(await pullWith('SN-B', forA)).toMatchObject({
        status: 401,
        body: { code: 'device-proof-unknown-key' },
      });
      expect(await pullWith('SN-A', await craftedProof(victim, { sub: 'SN-B' }))).toMatchObject({
        status: 401,
        body: { code: 'device-proof-wrong-battery' },
      });
      expect(
        await pullWith(
          'SN-A',
          await craftedProof(victim, { htu: `${app.baseUrl}/v1/devices/SN-A/acknowledgements` }),
        ),
      ).toMatchObject({ status: 401, body: { code: 'device-proof-wrong-url' } });
      expect(await pullWith('SN-A', await craftedProof(victim, { htm: 'POST' }))).toMatchObject({
        status: 401,
        body: { code: 'device-proof-wrong-method' },
      });
    });
  });

  describe('rollback to a bundle that still held a revoked key', () => {
    it('device: refuses a lower version, and the same version signed earlier', async () => {
      expect(await verify(await signBundle(online, claims(4, T)))).toMatchObject({
        accepted: false,
        reason: 'rollback',
      });
      expect(await verify(await signBundle(online, claims(5, T - 700)))).toMatchObject({
        accepted: false,
        reason: 'rollback',
      });
    });

    it('service: versions only grow, and an acknowledgement older than the last is refused', async () => {
      const device = await provisionDevice(app, cast, 'SN-ROLL');
      const simulated = device.simulated(app);
      await simulated.sync();
      await issueKey(app, cast.ownerA, 'SN-ROLL', { personId: 'tom', partyId: 'workshop' }, [
        'charge',
      ]);
      expect(await simulated.sync()).toMatchObject({ kind: 'applied', ver: 2 });
      // Version 1 re-signed a second later: a bundle that could have been served, but older than the acknowledged one.
      const { iat } = simulated.state.applied!;
      expect(
        await acknowledgeBundle({
          baseUrl: app.baseUrl,
          device: device.identity,
          ver: 1,
          iat: iat + 1,
        }),
      ).toMatchObject({ status: 409, code: 'acknowledgement-older-than-last' });
    });
  });

  describe('freeze attack (withholding updates so a revoked key stays live)', () => {
    it('device: refuses an expired bundle, and falls back to read-only status when its own bundle expires', async () => {
      expect(
        await verify(await signBundle(online, claims(6, T - 86_400)), applied, T),
      ).toMatchObject({ accepted: false, reason: 'expired' });
      const exp = applied.applied!.exp;
      expect(mayExercise(applied, attacker.kid, 'charge', exp - 1)).toBe(true);
      expect(mayExercise(applied, attacker.kid, 'charge', exp)).toBe(false);
      expect(mayExercise(applied, attacker.kid, 'status.read', exp)).toBe(true);
    });

    it('service: every bundle expires, an unchanged one is re-signed at half its lifetime, and a device held back shows as exposed', async () => {
      let now = new Date('2026-06-01T00:00:00Z');
      const device = await provisionDevice(app, cast, 'SN-FREEZE');
      const row = (await app.request('GET', '/v1/batteries/SN-FREEZE', { as: cast.ownerA })).body;
      // The version came into force now: bundles are issued then and every half lifetime after.
      const bundleVersionSince = now.toISOString();
      const battery = {
        serial: 'SN-FREEZE',
        bundleVersion: row.bundleVersion,
        bundleVersionSince,
        state: { ...row, provisioned: true, bundleVersionSince },
      } as unknown as BatteryRow & { bundleVersionSince: string };
      const service = new BundleService(
        { get: () => battery } as unknown as BatteryReadModel,
        new Es256BundleSigner(online),
        new SignedBundleCache(10),
        { issuer: ISSUER, ttlSeconds: 3600, now: () => now },
      );
      const first = await service.bundleFor(battery);
      expect(payloadOf(first.jws)).toMatchObject({ exp: first.issuedAt + 3600 });
      now = new Date(now.getTime() + 1799_000);
      expect((await service.bundleFor(battery)).issuedAt).toBe(first.issuedAt);
      now = new Date(now.getTime() + 2000);
      expect((await service.bundleFor(battery)).issuedAt).toBeGreaterThan(first.issuedAt);

      const issued = await issueKey(
        app,
        cast.ownerA,
        'SN-FREEZE',
        { personId: 'tom', partyId: 'workshop' },
        ['charge'],
      );
      await device.simulated(app).sync();
      const { keyId } = issued.body.events[0].data;
      await app.request('POST', `/v1/batteries/SN-FREEZE/keys/${keyId}/revoke`, {
        as: cast.ownerA,
        body: { reason: 'left' },
      });
      const exposure = await app.request('GET', '/v1/fleet/exposure?owner=lessor-a', {
        as: cast.ownerA,
      });
      expect(exposure.body.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ serial: 'SN-FREEZE', keyId })]),
      );
    });
  });

  describe('lost or reordered updates', () => {
    it('device: a bundle is the complete state, so a missed version costs nothing; an older one arriving late is refused', async () => {
      const skipped = await verify(await signBundle(online, claims(7, T, { keys: [] })));
      expect(skipped).toMatchObject({ accepted: true, claims: { ver: 7, keys: [] } });
      if (!skipped.accepted) return;
      expect(mayExercise(skipped.state, attacker.kid, 'charge', T + 60)).toBe(false);
      expect(
        await verify(await signBundle(online, claims(6, T + 10)), skipped.state, T + 70),
      ).toMatchObject({ accepted: false, reason: 'rollback' });
    });

    it('service: a device that missed versions gets the whole current key set in one bundle', async () => {
      const device = await provisionDevice(app, cast, 'SN-LOST');
      const simulated = device.simulated(app);
      await simulated.sync();
      for (const person of ['tom', 'ted', 'tim'])
        await issueKey(app, cast.ownerA, 'SN-LOST', { personId: person, partyId: 'workshop' }, [
          'charge',
        ]);
      expect(await simulated.sync()).toMatchObject({ kind: 'applied', ver: 4 });
      const active = (
        await app.request('GET', '/v1/batteries/SN-LOST', { as: cast.ownerA })
      ).body.keys
        .map((k: { keyId: string }) => k.keyId)
        .sort();
      expect(simulated.state.bundle!.keys.map((k) => k.key_id).sort()).toEqual(active);
    });
  });

  describe('algorithm confusion', () => {
    it('device: refuses alg none, HS256 keyed with the public key, EdDSA, and a token of another type', async () => {
      expect(await verify(unsignedBundle(online.kid, claims(6, T)))).toMatchObject({
        accepted: false,
        reason: 'unsecured-jws',
      });
      expect(
        await verify(hmacWithPublicKey(online.publicJwk, online.kid, claims(6, T))),
      ).toMatchObject({ accepted: false, reason: 'symmetric-alg-refused' });
      const ed25519 = await exportJWK(
        (await generateKeyPair('EdDSA', { extractable: true })).privateKey,
      );
      expect(await verify(eddsaSigned(ed25519, online.kid, claims(6, T)))).toMatchObject({
        accepted: false,
        reason: 'alg-not-allowed',
      });
      expect(await verify(await signBundle(online, claims(6, T), { typ: 'JWT' }))).toMatchObject({
        accepted: false,
        reason: 'wrong-typ',
      });
    });

    it('service: refuses proofs with alg none, HS256 keyed with the device’s public key, the wrong algorithm for the key, or another typ', async () => {
      const claimsPart = base64url.encode(
        JSON.stringify({
          htm: 'GET',
          htu: bundleUrl('SN-A'),
          sub: 'SN-A',
          jti: randomBytes(16).toString('base64url'),
          iat: epoch(),
        }),
      );
      const header = (alg: string) =>
        base64url.encode(
          JSON.stringify({ alg, typ: 'battery-device-proof+jwt', kid: victim.identity.thumbprint }),
        );
      expect(await pullWith('SN-A', `${header('none')}.${claimsPart}.`)).toMatchObject({
        status: 401,
        body: { code: 'device-proof-malformed' },
      });
      expect(await pullWith('SN-A', `${header('none')}.${claimsPart}.AA`)).toMatchObject({
        status: 401,
        body: { code: 'device-proof-algorithm-refused' },
      });
      const pem = createPublicKey({
        key: victim.publicJwk as import('node:crypto').JsonWebKey,
        format: 'jwk',
      }).export({ type: 'spki', format: 'pem' });
      const input = `${header('HS256')}.${claimsPart}`;
      expect(
        await pullWith(
          'SN-A',
          `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`,
        ),
      ).toMatchObject({ status: 401, body: { code: 'device-proof-algorithm-refused' } });
      expect(await pullWith('SN-A', `${header('EdDSA')}.${claimsPart}.AA`)).toMatchObject({
        status: 401,
        body: { code: 'device-proof-algorithm-refused' },
      });
      expect(await pullWith('SN-A', await craftedProof(victim, {}, { typ: 'JWT' }))).toMatchObject({
        status: 401,
        body: { code: 'device-proof-wrong-type' },
      });
    });
  });

  describe('disclosure of holders and parameters in transit', () => {
    it('device: decrypts only bundles encrypted to its own key, and can insist on encryption', async () => {
      const jws = await signBundle(online, claims(6, T));
      const toAttacker = await new CompactEncrypt(new TextEncoder().encode(jws))
        .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM' })
        .encrypt(await importJWK(attacker.publicJwk, 'ECDH-ES'));
      expect(await verify(toAttacker)).toMatchObject({
        accepted: false,
        reason: 'decryption-failed',
      });
      const { d: _d, ...devicePublic } = devicePrivateJwk;
      const weak = await new CompactEncrypt(new TextEncoder().encode(jws))
        .setProtectedHeader({ alg: 'ECDH-ES+A128KW', enc: 'A128GCM' })
        .encrypt(await importJWK(devicePublic, 'ECDH-ES+A128KW'));
      expect(await verify(weak)).toMatchObject({ accepted: false, reason: 'jwe-alg-not-allowed' });
      expect(await verify(jws, applied, T + 60, { requireEncryption: true })).toMatchObject({
        accepted: false,
        reason: 'encryption-required',
      });
    });

    it('service: the encrypted bundle hides holders, and an Ed25519 device asking for encryption is refused, not sent plaintext', async () => {
      await issueKey(app, cast.ownerA, 'SN-A', { personId: 'tom-private', partyId: 'workshop' }, [
        'charge',
      ]);
      const encrypted = await pullBundleOnce({
        baseUrl: app.baseUrl,
        device: victim.identity,
        encrypt: true,
      });
      expect(encrypted.envelope!.bundle.split('.')).toHaveLength(5);
      // The same signed bundle in clear (people's route) names the holder; the encrypted one carries none of it.
      const clear = await app.request('GET', '/v1/batteries/SN-A/bundle', { as: cast.ownerA });
      expect(JSON.stringify(payloadOf(clear.text).keys)).toContain('tom-private');
      expect(encrypted.envelope!.bundle).not.toContain(clear.text.split('.')[1].slice(0, 32));
      const ed25519 = await provisionDevice(app, cast, 'SN-ED', 'EdDSA');
      expect(
        await pullBundleOnce({ baseUrl: app.baseUrl, device: ed25519.identity, encrypt: true }),
      ).toMatchObject({ status: 422, code: 'encryption-needs-p256-device-key' });
    });
  });

  describe('a captured request or bundle replayed', () => {
    it('device: refuses the bundle it already applied', async () => {
      expect(await verify(await signBundle(online, claims(5, T - 600)))).toMatchObject({
        accepted: false,
        reason: 'replayed',
      });
    });

    it('service: a proof is used once, within its lifetime, and not from the future', async () => {
      const proof = await createDeviceProof(neighbour.identity, {
        method: 'GET',
        url: bundleUrl('SN-B'),
        now: epoch(),
      });
      expect((await pullWith('SN-B', proof)).status).toBe(200);
      expect(await pullWith('SN-B', proof)).toMatchObject({
        status: 401,
        body: { code: 'device-proof-replayed' },
      });
      const stale = await createDeviceProof(neighbour.identity, {
        method: 'GET',
        url: bundleUrl('SN-B'),
        now: epoch() - 120,
      });
      expect(await pullWith('SN-B', stale)).toMatchObject({
        status: 401,
        body: { code: 'device-proof-expired' },
      });
      const future = await createDeviceProof(neighbour.identity, {
        method: 'GET',
        url: bundleUrl('SN-B'),
        now: epoch() + 120,
      });
      expect(await pullWith('SN-B', future)).toMatchObject({
        status: 401,
        body: { code: 'device-proof-not-yet-valid' },
      });
      const missing = await app.request('GET', '/v1/devices/SN-B/bundle');
      expect(missing).toMatchObject({ status: 401, body: { code: 'device-proof-missing' } });
      expect(missing.headers.get('www-authenticate')).toBe(
        'DeviceProof error="device-proof-missing"',
      );
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
    });

    it('service: a person’s Bearer token is no device proof', async () => {
      const asPerson = await app.request('GET', '/v1/devices/SN-B/bundle', { as: cast.ownerA });
      expect(asPerson).toMatchObject({ status: 401, body: { code: 'device-proof-missing' } });
    });
  });

  it('gives each attack input the verifier is named for its own reason', async () => {
    const inputs = {
      forged: await forgedUnderKid(attacker, online.kid, claims(6, T)),
      otherBattery: await signBundle(online, claims(6, T, { sub: 'SN-OTHER' })),
      rolledBack: await signBundle(online, claims(4, T)),
      expired: await signBundle(online, claims(6, T - 86_400 - 100)),
      algNone: unsignedBundle(online.kid, claims(6, T)),
      keyConfusion: hmacWithPublicKey(online.publicJwk, online.kid, claims(6, T)),
      wrongTyp: await signBundle(online, claims(6, T), { typ: 'JWT' }),
      unknownKid: await signBundle(attacker, claims(6, T)),
      replayed: await signBundle(online, claims(5, T - 600)),
    };
    const reasons: Record<string, string> = {};
    for (const [name, bundle] of Object.entries(inputs)) {
      const verdict = await verify(bundle);
      reasons[name] = verdict.accepted ? 'accepted' : verdict.reason;
    }
    expect(reasons).toEqual({
      forged: 'bad-signature',
      otherBattery: 'wrong-serial',
      rolledBack: 'rollback',
      expired: 'expired',
      algNone: 'unsecured-jws',
      keyConfusion: 'symmetric-alg-refused',
      wrongTyp: 'wrong-typ',
      unknownKid: 'unknown-kid',
      replayed: 'replayed',
    });
    expect(new Set(Object.values(reasons)).size).toBe(Object.keys(inputs).length);
  });
});
