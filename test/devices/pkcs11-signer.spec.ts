import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkcs11js from 'pkcs11js';
import { verifyBundle } from '../../src/device-verifier';
import { pullBundleOnce } from '../../src/device-simulator';
import { loadAppConfig } from '../../src/config/app-config';
import { Es256BundleSigner } from '../../src/signing/es256-bundle-signer';
import { openBundleSigner } from '../../src/signing/open-bundle-signer';
import { loadBundleTrust } from '../../src/signing/trust/load-bundle-trust';
import { LocalEs256Key } from '../../src/signing/local-es256-key';
import { Pkcs11Es256Key } from '../../src/signing/pkcs11/pkcs11-es256-key';
import { Pkcs11Token } from '../../src/signing/pkcs11/pkcs11-token';
import { rotateHsmOnlineKey } from '../../src/signing/trust/online-key-rotation';
import { writeTrustFile } from '../../src/signing/trust/trust-file';
import { createTrust } from '../../src/signing/trust/trust-issuance';
import { issueKey, registerCast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { initSoftHsmToken, softHsmAvailable, type SoftHsmToken } from './support/softhsm';
import { provisionDevice } from './support/device-harness';

const ISSUER = 'urn:battery-keys:bundle-service';
const describeWithHsm = softHsmAvailable() ? describe : describe.skip;
const now = () => Math.floor(Date.now() / 1000);

describeWithHsm('bundles signed inside an HSM (PKCS#11, SoftHSM2)', () => {
  let hsm: SoftHsmToken;
  let token: Pkcs11Token;
  let work: string;

  beforeAll(async () => {
    hsm = initSoftHsmToken();
    token = Pkcs11Token.open(hsm);
    await token.generateKeyPair('bundle-signing-1');
    work = mkdtempSync(join(tmpdir(), 'hsm-trust-'));
  });
  afterAll(async () => {
    await token.close();
    hsm.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('signs a compact JWS that jose verifies, with a private key the token will not export', async () => {
    const key = await Pkcs11Es256Key.open(token, 'bundle-signing-1');
    const signer = new Es256BundleSigner(key);
    const jws = await signer.sign({ sub: 'SN-1', ver: 1 }, 'battery-key-bundle+jwt');
    const { payload, protectedHeader } = await compactVerify(
      jws,
      await importJWK(key.publicJwk, 'ES256'),
      { algorithms: ['ES256'] },
    );
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: key.kid, typ: 'battery-key-bundle+jwt' });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ sub: 'SN-1', ver: 1 });

    const { privateKey } = await token.findKeyPair('bundle-signing-1');
    const [extractable, sensitive] = token.module.C_GetAttributeValue(
      (token as unknown as { session: Buffer }).session,
      privateKey,
      [{ type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_SENSITIVE }],
    );
    expect(extractable.value).toEqual(Buffer.from([0]));
    expect(sensitive.value).toEqual(Buffer.from([1]));
    expect(() =>
      token.module.C_GetAttributeValue(
        (token as unknown as { session: Buffer }).session,
        privateKey,
        [{ type: pkcs11js.CKA_VALUE }],
      ),
    ).toThrow(/ATTRIBUTE_SENSITIVE/);
  });

  it('serves bundles signed through SoftHSM2 that the reference device accepts, and rotates to a new HSM key', async () => {
    const root = await LocalEs256Key.createFile(join(work, 'root.private.jwk'));
    const hsmKey = await Pkcs11Es256Key.open(token, 'bundle-signing-1');
    const trustFile = join(work, 'bundle-trust.json');
    writeTrustFile(
      trustFile,
      await createTrust(root, [hsmKey.publicJwk], 30, { issuer: ISSUER, now: now() }),
    );
    const env = {
      SIGNER: 'pkcs11',
      PKCS11_LIBRARY: hsm.library,
      PKCS11_TOKEN_LABEL: hsm.tokenLabel,
      PKCS11_PIN: hsm.pin,
      PKCS11_KEY_LABEL: 'bundle-signing-1',
      BUNDLE_TRUST_FILE: trustFile,
    };
    const app = await TestApp.start(env);
    try {
      const cast = await registerCast(app);
      const device = await provisionDevice(app, cast, 'SN-HSM');
      const pulled = await pullBundleOnce({ baseUrl: app.baseUrl, device: device.identity });
      expect(decodeProtectedHeader(pulled.envelope!.bundle).kid).toBe(hsmKey.kid);
      const verdict = await verifyBundle(
        pulled.envelope,
        device.profile,
        device.initialState(),
        now(),
      );
      expect(verdict).toMatchObject({ accepted: true, claims: { sub: 'SN-HSM' } });
      expect(
        (await app.request('GET', '/.well-known/jwks.json')).body.keys.map(
          (k: { kid: string }) => k.kid,
        ),
      ).toEqual([hsmKey.kid]);

      const { kid } = await rotateHsmOnlineKey(token, 'bundle-signing-2', {
        trustFile,
        issuer: ISSUER,
        root,
        overlapSeconds: 3600,
        validDays: 30,
        now: now(),
      });
      await app.stop({ keepData: true });
      const rotated = await TestApp.start(
        { ...env, PKCS11_KEY_LABEL: 'bundle-signing-2' },
        app.dataDir,
      );
      try {
        await issueKey(rotated, cast.ownerA, 'SN-HSM', { personId: 'tom', partyId: 'workshop' }, [
          'charge',
        ]);
        const again = await pullBundleOnce({ baseUrl: rotated.baseUrl, device: device.identity });
        expect(decodeProtectedHeader(again.envelope!.bundle).kid).toBe(kid);
        if (!verdict.accepted) throw new Error('unreachable');
        expect(
          await verifyBundle(again.envelope, device.profile, verdict.state, now()),
        ).toMatchObject({ accepted: true, claims: { ver: 2 } });
      } finally {
        await rotated.stop();
      }
    } finally {
      await app.stop();
    }
  });

  it('refuses to start with an HSM but no trust file, a key it does not delegate, a missing key or a wrong PIN', async () => {
    const base = loadAppConfig({
      DATA_DIR: work,
      SIGNER: 'pkcs11',
      PKCS11_LIBRARY: hsm.library,
      PKCS11_TOKEN_LABEL: hsm.tokenLabel,
      PKCS11_PIN: hsm.pin,
      PKCS11_KEY_LABEL: 'bundle-signing-1',
      BUNDLE_TRUST_FILE: join(work, 'missing.json'),
    });
    const signer = await openBundleSigner(base);
    try {
      await expect(loadBundleTrust(base, signer, now())).rejects.toThrow(
        /needs a bundle trust file/,
      );
      const otherRoot = await LocalEs256Key.createFile(join(work, 'other-root.private.jwk'));
      const other = await LocalEs256Key.createFile(join(work, 'other-online.private.jwk'));
      writeTrustFile(
        join(work, 'other-trust.json'),
        await createTrust(otherRoot, [other.publicJwk], 30, { issuer: ISSUER, now: now() }),
      );
      await expect(
        loadBundleTrust(
          { ...base, BUNDLE_TRUST_FILE: join(work, 'other-trust.json') },
          signer,
          now(),
        ),
      ).rejects.toThrow(/is not named in the delegation/);
    } finally {
      await signer.close();
    }
    await expect(openBundleSigner({ ...base, PKCS11_KEY_LABEL: 'no-such-key' })).rejects.toThrow(
      /No EC private key labelled "no-such-key"/,
    );
    await expect(openBundleSigner({ ...base, PKCS11_PIN: '0000' })).rejects.toThrow(
      /login .* failed/,
    );
    expect(() => loadAppConfig({ SIGNER: 'pkcs11', PKCS11_LIBRARY: hsm.library })).toThrow(
      /SIGNER=pkcs11 needs PKCS11_TOKEN_LABEL, PKCS11_PIN, PKCS11_KEY_LABEL/,
    );
  });
});
