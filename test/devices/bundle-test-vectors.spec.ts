import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  jwkThumbprint,
  mayExercise,
  REFUSAL_REASONS,
  verifyBundle,
  type DeviceProfile,
  type DeviceState,
  type EcPublicJwk,
  type HardLimits,
} from '../../src/device-verifier';
import { buildTestVectors, readTestKeys } from './vectors/build-test-vectors';
import {
  appendixOf,
  renderAppendix,
  vectorFileText,
  VECTOR_FILE,
  VECTOR_FILE_SCHEMA,
  type DeviceTrustState,
  type TestVector,
  type TestVectorFile,
} from './vectors/test-vector-format';

/**
 * The vectors are read from the JSON file firmware teams get (docs/vectors/), never from the
 * generator: the file is what a C or Rust test harness runs, so the file is what is proved.
 */
const ROOT = join(__dirname, '../..');
const fileText = readFileSync(join(ROOT, VECTOR_FILE), 'utf8');
const file = JSON.parse(fileText) as TestVectorFile;
const { keys, device, vectors } = file;

function profileFor(vector: TestVector): DeviceProfile {
  return {
    serial: device.serial,
    identityThumbprint: device.identityThumbprint,
    identityPrivateKey: createPrivateKey({
      key: device.identityPrivateJwk as JsonWebKey,
      format: 'jwk',
    }),
    issuer: device.issuer,
    pinnedRoot: device.pinnedRoot,
    hardLimits: device.hardLimits as unknown as HardLimits,
    requireEncryption: device.requireEncryption,
    clockSkewSeconds: device.clockSkewSeconds,
    ...vector.deviceOverrides,
  };
}

/** The verifier's state from the file's: the applied bundle's claims are not part of the vectors. */
const deviceState = (state: DeviceTrustState): DeviceState => ({ ...state, bundle: null });
const trustStateOf = ({ root, delegationVersion, applied }: DeviceState): DeviceTrustState => ({
  root: { version: root.version, kid: root.kid, jwk: root.jwk },
  delegationVersion,
  applied,
});

describe(`the test vectors of ${VECTOR_FILE}, through the reference verifier`, () => {
  it('the file holds the keys, the device and the vectors, and the keys are what they claim to be', () => {
    expect(file.schema).toBe(VECTOR_FILE_SCHEMA);
    expect(vectors.length).toBeGreaterThanOrEqual(20);
    for (const { kid, privateJwk } of Object.values(keys)) {
      const { d: _d, ...publicJwk } = privateJwk;
      expect(jwkThumbprint(publicJwk as EcPublicJwk)).toBe(kid);
    }
    expect(device.identityThumbprint).toBe(keys.device.kid);
    expect(device.identityPrivateJwk).toEqual(keys.device.privateJwk);
    expect(device.pinnedRoot.kid).toBe(keys.root1.kid);
    expect(jwkThumbprint(device.pinnedRoot.jwk)).toBe(device.pinnedRoot.kid);
    expect(new Set(vectors.map((vector) => vector.name)).size).toBe(vectors.length);
  });

  it.each(vectors.map((vector) => [vector.name, vector] as const))('%s', async (_name, vector) => {
    const profile = profileFor(vector);
    const verdict = await verifyBundle(
      vector.envelope,
      profile,
      deviceState(vector.stateBefore),
      vector.now,
    );
    if (vector.expect.verdict === 'refuse') {
      expect(verdict).toMatchObject({ accepted: false, reason: vector.expect.reason });
      // The file says what a refusal does to the device's state: nothing.
      expect(vector.expect.stateAfter).toEqual(vector.stateBefore);
      return;
    }
    expect(verdict).toMatchObject({
      accepted: true,
      claims: {
        ver: vector.expect.bundle.ver,
        iat: vector.expect.bundle.iat,
        exp: vector.expect.bundle.exp,
      },
    });
    if (!verdict.accepted) return;
    expect(trustStateOf(verdict.state)).toEqual(vector.expect.stateAfter);
    for (const check of vector.capabilities ?? []) {
      expect({
        ...check,
        allowed: mayExercise(verdict.state, check.kid, check.capability, check.now),
      }).toEqual(check);
    }
  });

  it('names only reasons the verifier knows, each refusal vector its own', () => {
    const reasons = vectors.flatMap((vector) =>
      vector.expect.verdict === 'refuse' ? [vector.expect.reason] : [],
    );
    for (const reason of reasons) expect(REFUSAL_REASONS).toContain(reason);
    expect(new Set(reasons).size).toBe(reasons.length);
  });

  it('is exactly what the generator makes from the test keys (deterministic signatures, fixed JWE inputs)', async () => {
    // Byte for byte: a hand edit of the file, or a generator change not written out, fails here.
    // Regenerate with: npx ts-node --transpile-only test/devices/vectors/generate-test-vectors.ts
    expect(fileText).toBe(vectorFileText(await buildTestVectors(readTestKeys())));
  });

  it('is what docs/key-bundle.md shows: its appendix is rendered from this file', () => {
    const doc = readFileSync(join(ROOT, 'docs/key-bundle.md'), 'utf8');
    expect(appendixOf(doc)).toBe(renderAppendix(file));
    expect(doc).toContain(`(${VECTOR_FILE.replace(/^docs\//, '')})`);
  });
});
