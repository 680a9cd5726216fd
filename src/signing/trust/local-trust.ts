import { join } from 'node:path';
import type { BundleSigner } from '../bundle-signer.port';
import { LocalEs256Key } from '../local-es256-key';
import { readTrustFile, writeTrustFile, type TrustFile } from './trust-file';
import { createTrust, delegate, delegatedKey } from './trust-issuance';
import { verifyTrust } from './trust-chain';

export const LOCAL_ROOT_KEY_FILE = 'bundle-root.private.jwk';
const LOCAL_DELEGATION_DAYS = 365;
/** The embedded default renews its own delegation at a start this close to the end of the window. */
const LOCAL_RENEWAL_DAYS = 30;

/**
 * The embedded default's chain of trust, for development and tests: a root key in the data
 * directory delegating to the local signing key. Production keeps the root offline and hands
 * the service a trust file made with `npm run bundle-trust` (then nothing here runs).
 */
export async function ensureLocalTrust(options: {
  dataDir: string;
  trustFile: string;
  issuer: string;
  signer: BundleSigner;
  now: number;
}): Promise<TrustFile> {
  const rootFile = join(options.dataDir, LOCAL_ROOT_KEY_FILE);
  const terms = { issuer: options.issuer, now: options.now };
  const existing = readTrustFile(options.trustFile);
  if (!existing) {
    const root = await LocalEs256Key.readOrCreateFile(rootFile);
    const trust = await createTrust(
      root,
      options.signer.publicJwks(),
      LOCAL_DELEGATION_DAYS,
      terms,
    );
    writeTrustFile(options.trustFile, trust);
    return trust;
  }
  const verified = await verifyTrust(existing, options.issuer);
  const current = verified.delegation.keys.find((key) => key.kid === options.signer.keyId);
  const renewalDue =
    !current ||
    current.nbf > options.now ||
    current.exp - options.now < LOCAL_RENEWAL_DAYS * 86_400;
  if (!renewalDue) return existing;
  // A new local signing key, or a delegation about to lapse: re-delegate, keeping the other
  // keys' windows as they are so a key retired by rotation stays retired.
  const root = await LocalEs256Key.readFile(rootFile);
  const others = verified.delegation.keys.filter(
    (key) => key.kid !== options.signer.keyId && key.exp > options.now,
  );
  const renewed = await delegatedKey(
    options.signer.publicJwks()[0],
    options.now,
    options.now + LOCAL_DELEGATION_DAYS * 86_400,
  );
  const trust = await delegate(existing, root, [...others, renewed], terms);
  writeTrustFile(options.trustFile, trust);
  return trust;
}
