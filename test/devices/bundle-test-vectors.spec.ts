import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  initialDeviceState,
  jwkThumbprint,
  mayExercise,
  REFUSAL_REASONS,
  verifyBundle,
  type DeviceProfile,
  type DeviceState,
  type EcPublicJwk,
  type HardLimits,
} from '../../src/device-verifier';
import {
  DEVICE_BLOCK,
  fencedJsonBlocks,
  KEYS_BLOCK,
  VECTOR_BLOCK,
  type TestDevice,
  type TestKeys,
  type TestVector,
} from './vectors/test-vector-format';

/** The vectors are read from the protocol document itself: the document is what firmware teams get. */
const doc = readFileSync(join(__dirname, '../../docs/key-bundle.md'), 'utf8');
const [keys] = fencedJsonBlocks<TestKeys>(doc, KEYS_BLOCK);
const [device] = fencedJsonBlocks<TestDevice>(doc, DEVICE_BLOCK);
const vectors = fencedJsonBlocks<TestVector>(doc, VECTOR_BLOCK);

function profileFor(vector: TestVector): DeviceProfile {
  return {
    serial: device.serial,
    identityThumbprint: device.identityThumbprint,
    identityPrivateKey: createPrivateKey({
      key: keys.device.privateJwk as import('node:crypto').JsonWebKey,
      format: 'jwk',
    }),
    issuer: device.issuer,
    pinnedRoot: { kid: device.pinnedRoot.kid, jwk: device.pinnedRoot.jwk as EcPublicJwk },
    hardLimits: device.hardLimits as unknown as HardLimits,
    ...vector.profile,
  };
}

function stateFor(vector: TestVector, profile: DeviceProfile): DeviceState {
  const initial = initialDeviceState(profile);
  return vector.state
    ? {
        ...initial,
        applied: vector.state.applied,
        delegationVersion: vector.state.delegationVersion,
      }
    : initial;
}

describe('the test vectors of docs/key-bundle.md, through the reference verifier', () => {
  it('the document holds the keys, the device and the vectors, and the keys are what they claim to be', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(20);
    for (const { kid, privateJwk } of Object.values(keys)) {
      const { d: _d, ...publicJwk } = privateJwk;
      expect(jwkThumbprint(publicJwk as EcPublicJwk)).toBe(kid);
    }
    expect(device.identityThumbprint).toBe(keys.device.kid);
    expect(device.pinnedRoot.kid).toBe(keys.root1.kid);
  });

  it.each(vectors.map((vector) => [vector.name, vector] as const))('%s', async (_name, vector) => {
    const profile = profileFor(vector);
    const verdict = await verifyBundle(
      vector.envelope,
      profile,
      stateFor(vector, profile),
      vector.now,
    );
    if (!vector.expect.accepted) {
      expect(verdict).toMatchObject({ accepted: false, reason: vector.expect.reason });
      return;
    }
    expect(verdict).toMatchObject({
      accepted: true,
      claims: { ver: vector.expect.ver, iat: vector.expect.iat },
    });
    if (!verdict.accepted) return;
    expect(verdict.state.root.version).toBe(vector.expect.rootVersion);
    expect(verdict.state.delegationVersion).toBe(vector.expect.delegationVersion);
    for (const check of vector.capabilities ?? []) {
      expect({
        ...check,
        allowed: mayExercise(verdict.state, check.kid, check.capability, check.now),
      }).toEqual(check);
    }
  });

  it('names only reasons the verifier knows, each refusal vector its own', () => {
    const reasons = vectors.flatMap((vector) =>
      vector.expect.accepted ? [] : [vector.expect.reason],
    );
    for (const reason of reasons) expect(REFUSAL_REASONS).toContain(reason);
    expect(new Set(reasons).size).toBe(reasons.length);
  });
});
