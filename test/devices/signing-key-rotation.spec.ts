import { decodeProtectedHeader } from 'jose';
import { join } from 'node:path';
import {
  initialDeviceState,
  jwkThumbprint,
  verifyBundle,
  type DeviceProfile,
  type DeviceState,
  type EcPublicJwk,
} from '../../src/device-verifier';
import { generatePrivateJwk, LocalEs256Key } from '../../src/signing/local-es256-key';
import { LOCAL_ROOT_KEY_FILE } from '../../src/signing/trust/local-trust';
import { rotateLocalOnlineKey } from '../../src/signing/trust/online-key-rotation';
import { readTrustFile, type TrustFile } from '../../src/signing/trust/trust-file';
import { createTrust, rotateOnlineKey, rotateRoot } from '../../src/signing/trust/trust-issuance';
import { signCompactJws } from '../../src/signing/compact-jws';
import { registerCast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { bundleClaims, envelopeOf, HARD_LIMITS, signBundle } from './support/bundle-forge';
import { provisionDevice } from './support/device-harness';

const ISSUER = 'urn:battery-keys:bundle-service';
const T0 = 1_800_000_000;
const OVERLAP = 3600;
const newKey = async () => LocalEs256Key.fromPrivateJwk(await generatePrivateJwk());

describe('rotating the online signing key and the root without re-flashing a device', () => {
  let root1: LocalEs256Key;
  let root2: LocalEs256Key;
  let online1: LocalEs256Key;
  let online2: LocalEs256Key;
  let trust1: TrustFile;
  let trust2: TrustFile;
  let profile: DeviceProfile;
  const serial = 'SN-ROT';

  beforeAll(async () => {
    [root1, root2, online1, online2] = await Promise.all([newKey(), newKey(), newKey(), newKey()]);
    trust1 = await createTrust(root1, [online1.publicJwk], 365, { issuer: ISSUER, now: T0 });
    trust2 = await rotateOnlineKey(
      trust1,
      root1,
      online2.publicJwk,
      { validDays: 365, overlapSeconds: OVERLAP },
      { issuer: ISSUER, now: T0 + 100 },
    );
    const device = await newKey();
    profile = {
      serial,
      identityThumbprint: device.kid,
      issuer: ISSUER,
      pinnedRoot: { kid: root1.kid, jwk: root1.publicJwk as EcPublicJwk },
      hardLimits: HARD_LIMITS,
    };
  });

  const bundle = (key: LocalEs256Key, ver: number, iat: number) =>
    signBundle(
      key,
      bundleClaims({ serial, deviceThumbprint: profile.identityThumbprint, ver, iat }),
    );
  const accept = async (
    envelope: object,
    state: DeviceState,
    now: number,
  ): Promise<DeviceState> => {
    const verdict = await verifyBundle(envelope, profile, state, now);
    if (!verdict.accepted) throw new Error(`refused: ${verdict.reason} (${verdict.detail})`);
    return verdict.state;
  };

  it('accepts bundles from the new online key, and from the retired one only until its window closes', async () => {
    const applied1 = await accept(
      envelopeOf(await bundle(online1, 1, T0 + 10), trust1),
      initialDeviceState(profile),
      T0 + 20,
    );
    const applied2 = await accept(
      envelopeOf(await bundle(online2, 2, T0 + 200), trust2),
      applied1,
      T0 + 210,
    );
    expect(applied2.delegationVersion).toBe(2);
    // During the overlap an instance that has not restarted yet may still sign with the old key.
    const applied3 = await accept(
      envelopeOf(await bundle(online1, 3, T0 + 300), trust2),
      applied2,
      T0 + 310,
    );

    const afterWindow = T0 + 100 + OVERLAP + 1;
    expect(
      await verifyBundle(
        envelopeOf(await bundle(online1, 4, afterWindow), trust2),
        profile,
        applied3,
        afterWindow,
      ),
    ).toMatchObject({ accepted: false, reason: 'signing-key-retired' });
    expect(
      await verifyBundle(
        envelopeOf(await bundle(online2, 4, afterWindow), trust2),
        profile,
        applied3,
        afterWindow,
      ),
    ).toMatchObject({ accepted: true });
  });

  it('refuses the old delegation, which still listed the retired key, once the device has seen the new one', async () => {
    const applied = await accept(
      envelopeOf(await bundle(online2, 2, T0 + 200), trust2),
      initialDeviceState(profile),
      T0 + 210,
    );
    const later = T0 + 5000;
    expect(
      await verifyBundle(
        envelopeOf(await bundle(online1, 3, later), trust1),
        profile,
        applied,
        later,
      ),
    ).toMatchObject({ accepted: false, reason: 'delegation-rollback' });
  });

  it('walks a root rotation from the root pinned at manufacture, and then trusts only the new root', async () => {
    const trust3 = await rotateRoot(trust2, root1, root2, { issuer: ISSUER, now: T0 + 1000 });
    expect(decodeProtectedHeader(trust3.delegation).kid).toBe(root2.kid);
    const now = T0 + 1100;
    const applied = await accept(
      envelopeOf(await bundle(online2, 5, now), trust3),
      initialDeviceState(profile),
      now + 1,
    );
    expect(applied.root).toMatchObject({ version: 2, kid: root2.kid });

    const withoutChain = {
      ...envelopeOf(await bundle(online2, 6, now + 10), trust3),
      rootChain: [],
    };
    expect(
      await verifyBundle(withoutChain, profile, initialDeviceState(profile), now + 11),
    ).toMatchObject({ accepted: false, reason: 'delegation-bad-signature' });

    // A stolen old root can no longer speak for the service to a device that moved on.
    const byOldRoot = await rotateOnlineKey(
      trust1,
      root1,
      online1.publicJwk,
      { validDays: 365, overlapSeconds: 0 },
      { issuer: ISSUER, now: now + 20 },
    );
    expect(
      await verifyBundle(
        envelopeOf(await bundle(online1, 6, now + 30), byOldRoot),
        profile,
        applied,
        now + 31,
      ),
    ).toMatchObject({
      accepted: false,
      reason: 'delegation-bad-signature',
    });

    const attacker = await newKey();
    const forgedStatement = await signCompactJws(
      {
        ...attacker,
        kid: root1.kid,
        publicJwk: attacker.publicJwk,
        signEs256: (input) => attacker.signEs256(input),
      },
      { typ: 'battery-root+jwt' },
      { iss: ISSUER, iat: now, ver: 2, root: { kid: attacker.kid, jwk: attacker.publicJwk } },
    );
    const forgedChain = {
      ...envelopeOf(await bundle(online2, 6, now + 40), trust3),
      rootChain: [forgedStatement],
    };
    expect(
      await verifyBundle(forgedChain, profile, initialDeviceState(profile), now + 41),
    ).toMatchObject({ accepted: false, reason: 'root-statement-bad-signature' });

    const trust4 = await rotateRoot(trust3, root2, await newKey(), {
      issuer: ISSUER,
      now: now + 50,
    });
    const gap = {
      ...envelopeOf(await bundle(online2, 6, now + 60), trust4),
      rootChain: [trust4.rootChain[1]],
    };
    expect(await verifyBundle(gap, profile, initialDeviceState(profile), now + 61)).toMatchObject({
      accepted: false,
      reason: 'root-chain-broken',
    });
  });

  it('rotates the running service’s key with the CLI’s steps: after a restart devices that pinned only the root accept the new key', async () => {
    const app = await TestApp.start();
    try {
      const cast = await registerCast(app);
      const device = await provisionDevice(app, cast, 'SN-ROT-E2E');
      const simulated = device.simulated(app);
      expect(await simulated.sync()).toMatchObject({ kind: 'applied', ver: 1 });
      const oldKid = (await app.request('GET', '/.well-known/jwks.json')).body.keys[0].kid;

      const trustFile = join(app.dataDir, 'bundle-trust.json');
      const root = await LocalEs256Key.readFile(join(app.dataDir, LOCAL_ROOT_KEY_FILE));
      const { kid: newKid } = await rotateLocalOnlineKey(app.dataDir, {
        trustFile,
        issuer: ISSUER,
        root,
        overlapSeconds: OVERLAP,
        validDays: 365,
        now: Math.floor(Date.now() / 1000),
      });
      await app.restart();

      expect(
        (await app.request('GET', '/.well-known/jwks.json')).body.keys
          .map((k: { kid: string }) => k.kid)
          .sort(),
      ).toEqual([oldKid, newKid].sort());
      await app.request('POST', '/v1/batteries/SN-ROT-E2E/keys', {
        as: cast.ownerA,
        body: {
          holder: { personId: 'tom', partyId: 'workshop' },
          publicKey: {
            kty: 'OKP',
            crv: 'Ed25519',
            x: '_SE5hA4O3MWdy8f7E9bgRjR-bA5qJym30zLBBsjc9j8',
          },
          capabilities: ['charge'],
          notAfter: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        },
      });
      // The same device (its state kept) on the restarted service's new port.
      const afterRestart = device.simulated(app);
      afterRestart.state = simulated.state;
      expect(await afterRestart.sync()).toMatchObject({ kind: 'applied', ver: 2 });
      expect(afterRestart.state.delegationVersion).toBe(2);
      expect(readTrustFile(trustFile)?.firstRoot.kid).toBe(device.profile.pinnedRoot.kid);
      expect(jwkThumbprint(readTrustFile(trustFile)!.firstRoot.jwk as EcPublicJwk)).toBe(root.kid);
    } finally {
      await app.stop();
    }
  });
});
