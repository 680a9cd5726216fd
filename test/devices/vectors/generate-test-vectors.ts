/**
 * Writes the test vectors of docs/key-bundle.md from the fixed test keys in test-keys.json.
 * ECDSA signatures are randomised, so running it again changes the bytes but not the decisions;
 * run it only when the protocol changes, then read the diff:
 *
 *   npx ts-node --transpile-only test/devices/vectors/generate-test-vectors.ts
 */
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signCompactJws } from '../../../src/signing/compact-jws';
import { LocalEs256Key } from '../../../src/signing/local-es256-key';
import {
  createTrust,
  rotateOnlineKey,
  rotateRoot,
} from '../../../src/signing/trust/trust-issuance';
import { DELEGATION_TYP } from '../../../src/signing/trust/trust-documents';
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
import {
  BEGIN_MARKER,
  DEVICE_BLOCK,
  END_MARKER,
  KEYS_BLOCK,
  VECTOR_BLOCK,
  type TestDevice,
  type TestKeys,
  type TestVector,
} from './test-vector-format';

const DOC = join(__dirname, '../../../docs/key-bundle.md');
const ISSUER = 'urn:battery-keys:bundle-service';
const SERIAL = 'TT2-0001';
const IAT = 1795235934;
const TTL = 86_400;
const NOW = IAT + 60;

const publicOf = ({ d: _d, ...jwk }: JWK) => jwk;

async function main(): Promise<void> {
  const keys = JSON.parse(readFileSync(join(__dirname, 'test-keys.json'), 'utf8')) as TestKeys & {
    _comment?: string;
  };
  delete keys._comment;
  const key = (name: string) => LocalEs256Key.fromPrivateJwk(keys[name].privateJwk);
  const [root1, root2, online1, online2, attacker] = await Promise.all(
    ['root1', 'root2', 'online1', 'online2', 'attacker'].map(key),
  );
  const deviceThumbprint = keys.device.kid;
  const holder = { kid: keys.ed25519Signer.kid, jwk: publicOf(keys.ed25519Signer.privateJwk) };

  const device: TestDevice = {
    serial: SERIAL,
    identityThumbprint: deviceThumbprint,
    issuer: ISSUER,
    pinnedRoot: { kid: root1.kid, jwk: root1.publicJwk },
    hardLimits: HARD_LIMITS,
  };
  const terms = { issuer: ISSUER, now: IAT - 86_400 };
  const trust = await createTrust(root1, [online1.publicJwk], 3650, terms);
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
    .encrypt(await importJWK(publicOf(keys.device.privateJwk), 'ECDH-ES'));
  const fresh = null;
  const applied = (ver: number, iat: number, delegationVersion = 1) => ({
    applied: { ver, iat, exp: iat + TTL },
    delegationVersion,
  });
  const refused = (reason: string) => ({ accepted: false as const, reason });

  const vectors: TestVector[] = [
    {
      name: 'accept-signed',
      description:
        'A bundle signed by the delegated online key, for this battery and device key, on a device fresh from the factory. After exp only status.read remains (safe state).',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(honest, trust),
      expect: { accepted: true, ver: 3, iat: IAT, rootVersion: 1, delegationVersion: 1 },
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
      profile: { requireEncryption: true },
      state: fresh,
      envelope: envelopeOf(encrypted, trust),
      expect: { accepted: true, ver: 3, iat: IAT, rootVersion: 1, delegationVersion: 1 },
    },
    {
      name: 'accept-after-root-rotation',
      description:
        'The root was rotated (root 2, signed by the pinned root 1) and root 2 signs delegation 2; the device walks the chain and trusts root 2 from now on.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(honest, rootRotated),
      expect: { accepted: true, ver: 3, iat: IAT, rootVersion: 2, delegationVersion: 2 },
    },
    {
      name: 'accept-newer-signing-of-same-version',
      description:
        'The service re-signs an unchanged state at half its lifetime: same ver, later iat.',
      now: NOW,
      state: applied(3, IAT - 43_200),
      envelope: envelopeOf(honest, trust),
      expect: { accepted: true, ver: 3, iat: IAT, rootVersion: 1, delegationVersion: 1 },
    },
    {
      name: 'refuse-forged',
      description:
        'Signed by a key the device does not trust, presented under the online key’s kid.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(await forgedUnderKid(attacker, online1.kid, claims()), trust),
      expect: refused('bad-signature'),
    },
    {
      name: 'refuse-other-battery',
      description: 'A genuine bundle of another battery (sub).',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(await signBundle(online1, claims({ sub: 'TT2-0002' })), trust),
      expect: refused('wrong-serial'),
    },
    {
      name: 'refuse-other-device-key',
      description: 'The right serial bound to another device key (aud): mix-and-match.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(
        await signBundle(
          online1,
          claims({ aud: `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${keys.otherDevice.kid}` }),
        ),
        trust,
      ),
      expect: refused('wrong-device-key'),
    },
    {
      name: 'refuse-rollback',
      description:
        'Version 3 on a device that applied version 4: it could still list a revoked key.',
      now: NOW,
      state: applied(4, IAT - 100),
      envelope: envelopeOf(honest, trust),
      expect: refused('rollback'),
    },
    {
      name: 'refuse-replay',
      description: 'The bundle the device already applied, presented again.',
      now: NOW,
      state: applied(3, IAT),
      envelope: envelopeOf(honest, trust),
      expect: refused('replayed'),
    },
    {
      name: 'refuse-expired',
      description: 'The device clock is at exp: a withheld update (freeze attack) ends here.',
      now: IAT + TTL,
      state: fresh,
      envelope: envelopeOf(honest, trust),
      expect: refused('expired'),
    },
    {
      name: 'refuse-alg-none',
      description: 'alg none, no signature.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(unsignedBundle(online1.kid, claims()), trust),
      expect: refused('unsecured-jws'),
    },
    {
      name: 'refuse-hs256-key-confusion',
      description:
        'HS256 keyed with the online key’s public key (SPKI PEM): a verifier that takes alg from the header would accept it.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(hmacWithPublicKey(online1.publicJwk, online1.kid, claims()), trust),
      expect: refused('symmetric-alg-refused'),
    },
    {
      name: 'refuse-eddsa',
      description: 'A valid EdDSA signature: not the pinned algorithm.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(
        eddsaSigned(keys.ed25519Signer.privateJwk, online1.kid, claims()),
        trust,
      ),
      expect: refused('alg-not-allowed'),
    },
    {
      name: 'refuse-wrong-typ',
      description: 'Signed by the online key but typed JWT: another kind of token of the service.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(await signBundle(online1, claims(), { typ: 'JWT' }), trust),
      expect: refused('wrong-typ'),
    },
    {
      name: 'refuse-unknown-kid',
      description: 'Signed by a key the delegation does not name.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(await signBundle(attacker, claims()), trust),
      expect: refused('unknown-kid'),
    },
    {
      name: 'refuse-retired-signing-key',
      description:
        'Delegation 2 retired online key 1 an hour before IAT; a bundle it signed is refused.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(honest, keyRotated),
      expect: refused('signing-key-retired'),
    },
    {
      name: 'refuse-delegation-rollback',
      description: 'Delegation 1 on a device that has seen delegation 2.',
      now: NOW,
      state: applied(2, IAT - 100, 2),
      envelope: envelopeOf(honest, trust),
      expect: refused('delegation-rollback'),
    },
    {
      name: 'refuse-forged-delegation',
      description: 'A delegation to the attacker’s key, not signed by the root.',
      now: NOW,
      state: fresh,
      envelope: {
        ...envelopeOf(await signBundle(attacker, claims()), trust),
        delegation: forgedDelegation,
      },
      expect: refused('delegation-bad-signature'),
    },
    {
      name: 'refuse-params-outside-hard-limits',
      description:
        'chargeCellVoltageMaxV 5.25 V (the 4.25 V typo) against the device’s own 4.25 V limit.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(
        await signBundle(online1, claims({ params: { ...PARAMS, chargeCellVoltageMaxV: 5.25 } })),
        trust,
      ),
      expect: refused('params-outside-hard-limits'),
    },
    {
      name: 'refuse-unknown-format',
      description: 'fmt 2: a format this device does not know.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(await signBundle(online1, claims({ fmt: 2 })), trust),
      expect: refused('unknown-format'),
    },
    {
      name: 'refuse-wrong-issuer',
      description: 'Issued under another name than the pinned issuer.',
      now: NOW,
      state: fresh,
      envelope: envelopeOf(
        await signBundle(online1, claims({ iss: 'urn:example:other-service' })),
        trust,
      ),
      expect: refused('wrong-issuer'),
    },
    {
      name: 'refuse-plaintext-when-encryption-required',
      description: 'A device configured for encrypted bundles only gets a plaintext one.',
      now: NOW,
      profile: { requireEncryption: true },
      state: fresh,
      envelope: envelopeOf(honest, trust),
      expect: refused('encryption-required'),
    },
  ];

  const block = (info: string, value: unknown) =>
    `\`\`\`${info}\n${JSON.stringify(value, null, 2)}\n\`\`\``;
  const appendix = [
    BEGIN_MARKER,
    '',
    '### Test keys (TEST ONLY: published, never use them for anything else)',
    '',
    block(KEYS_BLOCK, keys),
    '',
    '### The test device',
    '',
    block(DEVICE_BLOCK, device),
    '',
    '### Vectors',
    '',
    ...vectors.flatMap((vector) => [
      `#### ${vector.name}`,
      '',
      vector.description,
      '',
      block(VECTOR_BLOCK, vector),
      '',
    ]),
    END_MARKER,
  ].join('\n');
  const doc = readFileSync(DOC, 'utf8');
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new Error(`${DOC} lacks the test-vector markers`);
  writeFileSync(DOC, `${doc.slice(0, begin)}${appendix}${doc.slice(end + END_MARKER.length)}`);
  console.log(`${vectors.length} vectors written to ${DOC}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
