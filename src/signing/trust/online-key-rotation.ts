import { calculateJwkThumbprint } from 'jose';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Es256Key } from '../es256-key';
import { LocalEs256Key } from '../local-es256-key';
import { LOCAL_SIGNING_KEY_FILE } from '../local-key-signer';
import type { Pkcs11Token } from '../pkcs11/pkcs11-token';
import { readTrustFile, writeTrustFile, type TrustFile } from './trust-file';
import { rotateOnlineKey } from './trust-issuance';

export interface RotationOptions {
  trustFile: string;
  issuer: string;
  /** The current root (offline in production): it signs the new delegation. */
  root: Es256Key;
  /** How long the old key stays valid for devices, so instances still signing with it can restart. */
  overlapSeconds: number;
  validDays: number;
  /** Epoch seconds. */
  now: number;
}

function currentTrust(file: string): TrustFile {
  const trust = readTrustFile(file);
  if (!trust)
    throw new Error(`No trust file at ${file}; create one with npm run bundle-trust -- delegate`);
  return trust;
}

/**
 * A new local signing key: generated beside the old one, delegated, and only then switched in
 * (a rename), so an interruption leaves a service that still starts. The old private key is gone
 * afterwards; its public half stays in the delegation until its overlap ends.
 */
export async function rotateLocalOnlineKey(
  dataDir: string,
  options: RotationOptions,
): Promise<{ trust: TrustFile; kid: string }> {
  const trust = currentTrust(options.trustFile);
  const keyFile = join(dataDir, LOCAL_SIGNING_KEY_FILE);
  const incomingFile = `${keyFile}.incoming`;
  const incoming = await LocalEs256Key.createFile(incomingFile);
  const rotated = await rotateOnlineKey(
    trust,
    options.root,
    incoming.publicJwk,
    { validDays: options.validDays, overlapSeconds: options.overlapSeconds },
    options,
  );
  writeTrustFile(options.trustFile, rotated);
  renameSync(incomingFile, keyFile);
  return { trust: rotated, kid: incoming.kid };
}

/**
 * A new key pair generated inside the HSM under `label`, then delegated. The service picks it up
 * when PKCS11_KEY_LABEL names it and it restarts.
 */
export async function rotateHsmOnlineKey(
  token: Pkcs11Token,
  label: string,
  options: RotationOptions,
): Promise<{ trust: TrustFile; kid: string }> {
  const trust = currentTrust(options.trustFile);
  const { publicJwk } = await token.generateKeyPair(label);
  const rotated = await rotateOnlineKey(
    trust,
    options.root,
    publicJwk,
    { validDays: options.validDays, overlapSeconds: options.overlapSeconds },
    options,
  );
  writeTrustFile(options.trustFile, rotated);
  return { trust: rotated, kid: await calculateJwkThumbprint(publicJwk) };
}
