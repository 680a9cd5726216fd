import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { formatVerifierKey, rawEd25519PublicKey, SIGNATURE_TYPE } from './verifier-key';

/**
 * A witness's own key: Ed25519, kept as a PKCS #8 PEM file readable by its owner only. Its
 * verifier key (type 0x04, cosignature/v1) is what the log's operator adds to
 * AUDIT_LOG_WITNESS_KEYS.
 */
export class WitnessKeyError extends Error {}

/** Creates the key file (never over an existing one) and returns the verifier key. */
export function createWitnessKey(file: string, name: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WitnessKeyError(
      code === 'EEXIST'
        ? `${file} exists already: a witness key is never overwritten`
        : `cannot write ${file}: ${(error as Error).message}`,
    );
  }
  return witnessVerifierKey(name, privateKey);
}

export const witnessVerifierKey = (name: string, privateKey: KeyObject) =>
  formatVerifierKey(name, SIGNATURE_TYPE.cosignatureV1, rawEd25519PublicKey(privateKey));

export interface LoadedWitnessKey {
  privateKey: KeyObject;
  /** Set when group or others may read the file: worth a warning, as for an SSH key. */
  readableByOthers: boolean;
}

export function loadWitnessKey(file: string): LoadedWitnessKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (error) {
    throw new WitnessKeyError(
      `cannot read a private key from ${file}: ${(error as Error).message}`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new WitnessKeyError(`${file} holds an ${privateKey.asymmetricKeyType} key, not Ed25519`);
  return { privateKey, readableByOthers: (statSync(file).mode & 0o077) !== 0 };
}
