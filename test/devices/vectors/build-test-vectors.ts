import { CompactEncrypt, importJWK, type CryptoKey, type JWK } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../../../src/device-verifier';
import { signCompactJws } from '../../../src/signing/compact-jws';
import { DELEGATION_TYP } from '../../../src/signing/trust/trust-documents';
import {
  createTrust,
  rotateOnlineKey,
  rotateRoot,
} from '../../../src/signing/trust/trust-issuance';
import {
  bundleClaims,
  eddsaSigned,
  envelopeOf,
  forgedUnderKid,
  HARD_LIMITS,
  hmacWithPublicKey,
  PARAMS,
  signBundle,
  unsignedBundle,
} from '../support/bundle-forge';
import { DeterministicEs256Key } from './deterministic-es256-key';
import {
  VECTOR_FILE_SCHEMA,
  type DeviceTrustState,
  type EcPublicKey,
  type TestDevice,
  type TestKeys,
  type TestVector,
  type TestVectorFile,
} from './test-vector-format';

const ISSUER = 'urn:battery-keys:bundle-service';
const SERIAL = 'TT2-0001';
const IAT = 1795235934;
const TTL = 86_400;
const NOW = IAT + 60;
/**
 * The JWE's content IV. Fixed, like its ephemeral key, so the file regenerates byte for byte; a
 * fixed (key, IV) pair is only safe because these keys are published and encrypt this one bundle.
 */
const JWE_IV = new Uint8Array(Buffer.from('6a9f04c1e25b7d3a8c0f1e2d', 'hex'));

const publicOf = ({ d: _d, ...jwk }: JWK) => jwk;

/**
 * Every test vector of docs/key-bundle.md, from the fixed test keys alone: the same keys give the
 * same file, byte for byte (deterministic ECDSA, a fixed JWE ephemeral key and IV, fixed times).
 * The generator writes what this returns; the spec calls it again and compares.
 */
export async function buildTestVectors(keys: TestKeys): Promise<TestVectorFile> {
  const key = (name: string) => DeterministicEs256Key.fromPrivateJwk(keys[name].privateJwk);
  const [root1, root2, online1, online2, attacker] = await Promise.all(
    ['root1', 'root2', 'online1', 'online2', 'attacker'].map(key),
  );
  const deviceThumbprint = keys.device.kid;
  const holder = { kid: keys.ed25519Signer.kid, jwk: publicOf(keys.ed25519Signer.privateJwk) };
  const rootKey = (k: DeterministicEs256Key) => ({ kid: k.kid, jwk: k.publicJwk }) as EcPublicKey;

  const device: TestDevice = {
    serial: SERIAL,
    issuer: ISSUER,
    identityThumbprint: deviceThumbprint,
    identityPrivateJwk: keys.device.privateJwk,
    pinnedRoot: rootKey(root1),
    hardLimits: HARD_LIMITS,
    requireEncryption: false,
    clockSkewSeconds: DEFAULT_CLOCK_SKEW_SECONDS,
  };
  const trust = await createTrust(root1, [online1.publicJwk], 3650, {
    issuer: ISSUER,
    now: IAT - 86_400,
  });
  const rootRotated = await rotateRoot(trust, root1, root2, { issuer: ISSUER, now: IAT - 3600 });
  const keyRotated = await rotateOnlineKey(
    trust,
    root1,
    online2.publicJwk,
    { validDays: 3650, overlapSeconds: 3600 },
    { issuer: ISSUER, now: IAT - 7200 },
  );
  const forgedDelegation = await signCompactJws(
    {
      kid: root1.kid,
      publicJwk: attacker.publicJwk,
      signEs256: (input) => attacker.signEs256(input),
    },
    { typ: DELEGATION_TYP },
    {
      iss: ISSUER,
      iat: IAT,
      ver: 9,
      keys: [
        { kid: attacker.kid, jwk: attacker.publicJwk, nbf: IAT - 60, exp: IAT + 3650 * 86_400 },
      ],
    },
  );

  const claims = (overrides: Record<string, unknown> = {}, ver = 3, iat = IAT) =>
    bundleClaims(
      { serial: SERIAL, deviceThumbprint, ver, iat, ttlSeconds: TTL, holder },
      overrides,
    );
  const honest = await signBundle(online1, claims());
  const encrypted = await new CompactEncrypt(new TextEncoder().encode(honest))
    .setProtectedHeader({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      cty: 'battery-key-bundle+jwt',
      kid: deviceThumbprint,
    })
    .setKeyManagementParameters({
      epk: (await importJWK(keys.jweEphemeral.privateJwk, 'ECDH-ES', {
        extractable: true,
      })) as CryptoKey,
    })
    .setInitializationVector(JWE_IV)
    .encrypt(await importJWK(publicOf(keys.device.privateJwk), 'ECDH-ES'));

  const root1State = { version: 1, ...rootKey(root1) };
  const fresh: DeviceTrustState = { root: root1State, delegationVersion: 0, applied: null };
  const applied = (ver: number, iat: number, delegationVersion = 1): DeviceTrustState => ({
    root: root1State,
    delegationVersion,
    applied: { ver, iat, exp: iat + TTL },
  });
  const accepted = (root: DeviceTrustState['root'], delegationVersion: number) => ({
    verdict: 'accept' as const,
    bundle: { ver: 3, iat: IAT, exp: IAT + TTL },
    stateAfter: { root, delegationVersion, applied: { ver: 3, iat: IAT, exp: IAT + TTL } },
  });
  // A refusal leaves the device as it was: the expectation says so explicitly.
  const refusal = (vector: Omit<TestVector, 'expect'>, reason: string): TestVector => ({
    ...vector,
    expect: { verdict: 'refuse', reason, stateAfter: vector.stateBefore },
  });

  const vectors: TestVector[] = [
    {
      name: 'accept-signed',
      description:
        'A bundle signed by the delegated online key, for this battery and device key, on a device fresh from the factory. After exp only status.read remains (safe state).',
      now: NOW,
      stateBefore: fresh,
      envelope: envelopeOf(honest, trust),
      expect: accepted(root1State, 1),
      capabilities: [
        { now: NOW, kid: holder.kid, capability: 'charge', allowed: true },
        { now: NOW, kid: holder.kid, capability: 'faults.reset', allowed: false },
        { now: IAT + TTL, kid: holder.kid, capability: 'charge', allowed: false },
        { now: IAT + TTL, kid: holder.kid, capability: 'status.read', allowed: true },
        { now: NOW, kid: attacker.kid, capability: 'status.read', allowed: false },
      ],
    },
    {
      name: 'accept-encrypted',
      description:
        'The same bundle encrypted to the device key (ECDH-ES, A256GCM); decrypt with the device private key, then verify as above.',
      now: NOW,
      deviceOverrides: { requireEncryption: true },
      stateBefore: fresh,
      envelope: envelopeOf(encrypted, trust),
      expect: accepted(root1State, 1),
    },
    {
      name: 'accept-after-root-rotation',
      description:
        'The root was rotated (root 2, signed by the pinned root 1) and root 2 signs delegation 2; the device walks the chain and trusts root 2 from now on.',
      now: NOW,
      stateBefore: fresh,
      envelope: envelopeOf(honest, rootRotated),
      expect: accepted({ version: 2, ...rootKey(root2) }, 2),
    },
    {
      name: 'accept-newer-signing-of-same-version',
      description:
        'The service re-signs an unchanged state at half its lifetime: same ver, later iat.',
      now: NOW,
      stateBefore: applied(3, IAT - 43_200),
      envelope: envelopeOf(honest, trust),
      expect: accepted(root1State, 1),
    },
    refusal(
      {
        name: 'refuse-forged',
        description:
          'Signed by a key the device does not trust, presented under the online key’s kid.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(await forgedUnderKid(attacker, online1.kid, claims()), trust),
      },
      'bad-signature',
    ),
    refusal(
      {
        name: 'refuse-other-battery',
        description: 'A genuine bundle of another battery (sub).',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(await signBundle(online1, claims({ sub: 'TT2-0002' })), trust),
      },
      'wrong-serial',
    ),
    refusal(
      {
        name: 'refuse-other-device-key',
        description: 'The right serial bound to another device key (aud): mix-and-match.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(
          await signBundle(
            online1,
            claims({ aud: `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${keys.otherDevice.kid}` }),
          ),
          trust,
        ),
      },
      'wrong-device-key',
    ),
    refusal(
      {
        name: 'refuse-rollback',
        description:
          'Version 3 on a device that applied version 4: it could still list a revoked key.',
        now: NOW,
        stateBefore: applied(4, IAT - 100),
        envelope: envelopeOf(honest, trust),
      },
      'rollback',
    ),
    refusal(
      {
        name: 'refuse-replay',
        description: 'The bundle the device already applied, presented again.',
        now: NOW,
        stateBefore: applied(3, IAT),
        envelope: envelopeOf(honest, trust),
      },
      'replayed',
    ),
    refusal(
      {
        name: 'refuse-expired',
        description: 'The device clock is at exp: a withheld update (freeze attack) ends here.',
        now: IAT + TTL,
        stateBefore: fresh,
        envelope: envelopeOf(honest, trust),
      },
      'expired',
    ),
    refusal(
      {
        name: 'refuse-alg-none',
        description: 'alg none, no signature.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(unsignedBundle(online1.kid, claims()), trust),
      },
      'unsecured-jws',
    ),
    refusal(
      {
        name: 'refuse-hs256-key-confusion',
        description:
          'HS256 keyed with the online key’s public key (SPKI PEM): a verifier that takes alg from the header would accept it.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(hmacWithPublicKey(online1.publicJwk, online1.kid, claims()), trust),
      },
      'symmetric-alg-refused',
    ),
    refusal(
      {
        name: 'refuse-eddsa',
        description: 'A valid EdDSA signature: not the pinned algorithm.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(
          eddsaSigned(keys.ed25519Signer.privateJwk, online1.kid, claims()),
          trust,
        ),
      },
      'alg-not-allowed',
    ),
    refusal(
      {
        name: 'refuse-wrong-typ',
        description:
          'Signed by the online key but typed JWT: another kind of token of the service.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(await signBundle(online1, claims(), { typ: 'JWT' }), trust),
      },
      'wrong-typ',
    ),
    refusal(
      {
        name: 'refuse-unknown-kid',
        description: 'Signed by a key the delegation does not name.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(await signBundle(attacker, claims()), trust),
      },
      'unknown-kid',
    ),
    refusal(
      {
        name: 'refuse-retired-signing-key',
        description:
          'Delegation 2 retired online key 1 an hour before IAT; a bundle it signed is refused.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(honest, keyRotated),
      },
      'signing-key-retired',
    ),
    refusal(
      {
        name: 'refuse-delegation-rollback',
        description: 'Delegation 1 on a device that has seen delegation 2.',
        now: NOW,
        stateBefore: applied(2, IAT - 100, 2),
        envelope: envelopeOf(honest, trust),
      },
      'delegation-rollback',
    ),
    refusal(
      {
        name: 'refuse-forged-delegation',
        description: 'A delegation to the attacker’s key, not signed by the root.',
        now: NOW,
        stateBefore: fresh,
        envelope: {
          ...envelopeOf(await signBundle(attacker, claims()), trust),
          delegation: forgedDelegation,
        },
      },
      'delegation-bad-signature',
    ),
    refusal(
      {
        name: 'refuse-params-outside-hard-limits',
        description:
          'chargeCellVoltageMaxV 5.25 V (the 4.25 V typo) against the device’s own 4.25 V limit.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(
          await signBundle(online1, claims({ params: { ...PARAMS, chargeCellVoltageMaxV: 5.25 } })),
          trust,
        ),
      },
      'params-outside-hard-limits',
    ),
    refusal(
      {
        name: 'refuse-unknown-format',
        description: 'fmt 2: a format this device does not know.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(await signBundle(online1, claims({ fmt: 2 })), trust),
      },
      'unknown-format',
    ),
    refusal(
      {
        name: 'refuse-wrong-issuer',
        description: 'Issued under another name than the pinned issuer.',
        now: NOW,
        stateBefore: fresh,
        envelope: envelopeOf(
          await signBundle(online1, claims({ iss: 'urn:example:other-service' })),
          trust,
        ),
      },
      'wrong-issuer',
    ),
    refusal(
      {
        name: 'refuse-plaintext-when-encryption-required',
        description: 'A device configured for encrypted bundles only gets a plaintext one.',
        now: NOW,
        deviceOverrides: { requireEncryption: true },
        stateBefore: fresh,
        envelope: envelopeOf(honest, trust),
      },
      'encryption-required',
    ),
  ];

  return {
    schema: VECTOR_FILE_SCHEMA,
    protocol: 'docs/key-bundle.md: key bundle format 1, envelope fmt 1',
    generatedBy: 'test/devices/vectors/generate-test-vectors.ts',
    testOnly:
      'Every private key in this file is published: never use any of them for anything but these vectors.',
    keys,
    device,
    vectors,
  };
}

/** The fixed test keys (test-keys.json), without the file's `_comment` on what they are for. */
export function readTestKeys(): TestKeys {
  const { _comment, ...keys } = JSON.parse(
    readFileSync(join(__dirname, 'test-keys.json'), 'utf8'),
  ) as TestKeys & { _comment?: unknown };
  return keys;
}
