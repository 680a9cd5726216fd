import { compactDecrypt } from 'jose';
import type { KeyObject } from 'node:crypto';
import { JWE_ALG, JWE_ENC } from './protocol';
import { refuse } from './refusal';
import { base64urlDecode, parseJsonObject } from './jws';

/** A compact JWE (five parts) encrypted to the device: ECDH-ES with A256GCM, nothing else. */
export async function decryptBundle(
  jwe: string,
  identityPrivateKey: KeyObject | undefined,
): Promise<string> {
  const headerBytes = base64urlDecode(jwe.split('.')[0]);
  const header = headerBytes && parseJsonObject(headerBytes);
  if (!header) return refuse('malformed', 'the JWE header is not a JSON object');
  if (header.alg !== JWE_ALG || header.enc !== JWE_ENC)
    return refuse('jwe-alg-not-allowed', `bundles are encrypted with ${JWE_ALG} + ${JWE_ENC} only`);
  if (!identityPrivateKey)
    return refuse('decryption-failed', 'this device has no key agreement key (Ed25519 identity)');
  try {
    const { plaintext } = await compactDecrypt(jwe, identityPrivateKey, {
      keyManagementAlgorithms: [JWE_ALG],
      contentEncryptionAlgorithms: [JWE_ENC],
    });
    return new TextDecoder().decode(plaintext);
  } catch {
    return refuse(
      'decryption-failed',
      'the bundle is not encrypted to this device, or was altered',
    );
  }
}
