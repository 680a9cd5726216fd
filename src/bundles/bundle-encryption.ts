import { CompactEncrypt, importJWK } from 'jose';
import type { PublicKey } from '../shared/domain/public-key';
import { ruleViolated } from '../shared/domain/domain-error';
import { BUNDLE_TYP } from './domain/bundle-claims';

export const BUNDLE_JWE_ALG = 'ECDH-ES';
export const BUNDLE_JWE_ENC = 'A256GCM';
const encoder = new TextEncoder();

/**
 * The signed bundle encrypted to the device's identity key (RFC 7516 compact, ECDH-ES direct key
 * agreement, A256GCM): holders and parameters stay private in transit, and each response has a
 * fresh ephemeral key. Only P-256 device keys can do this: an Ed25519 key signs but cannot agree
 * keys, and deriving X25519 from it would reuse one key for two purposes, which jose (rightly)
 * does not offer.
 */
export async function encryptBundleForDevice(jws: string, deviceKey: PublicKey): Promise<string> {
  assertCanEncryptFor(deviceKey);
  const recipient = await importJWK(deviceKey.jwk, BUNDLE_JWE_ALG);
  return new CompactEncrypt(encoder.encode(jws))
    .setProtectedHeader({
      alg: BUNDLE_JWE_ALG,
      enc: BUNDLE_JWE_ENC,
      cty: BUNDLE_TYP,
      kid: deviceKey.thumbprint,
    })
    .encrypt(recipient);
}

/** Refuses (422) to encrypt to a key that cannot agree keys, rather than fall back to plaintext. */
export function assertCanEncryptFor(deviceKey: PublicKey): void {
  if (deviceKey.jwk.kty !== 'EC') {
    throw ruleViolated(
      'encryption-needs-p256-device-key',
      'This battery was provisioned with an Ed25519 identity key, which cannot agree an encryption key (ECDH-ES); pull the bundle without encryption',
      { deviceKeyType: `${deviceKey.jwk.kty}/${deviceKey.jwk.crv}` },
    );
  }
}
