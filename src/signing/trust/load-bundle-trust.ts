import { join } from 'node:path';
import type { AppConfig } from '../../config/app-config';
import type { BundleSigner } from '../bundle-signer.port';
import { BundleTrust } from './bundle-trust';
import { ensureLocalTrust } from './local-trust';
import { readTrustFile } from './trust-file';

export const DEFAULT_TRUST_FILE = 'bundle-trust.json';

export const trustFileOf = (config: AppConfig) =>
  config.BUNDLE_TRUST_FILE ?? join(config.DATA_DIR, DEFAULT_TRUST_FILE);

/**
 * The chain the service serves: made and renewed on the spot by the embedded default, read as
 * given with an HSM (its root is offline, so only the operator can extend it).
 */
export async function loadBundleTrust(
  config: AppConfig,
  signer: BundleSigner,
  now: number,
): Promise<{ trust: BundleTrust; warnings: string[] }> {
  const file = trustFileOf(config);
  const content =
    config.SIGNER === 'local'
      ? await ensureLocalTrust({
          dataDir: config.DATA_DIR,
          trustFile: file,
          issuer: config.BUNDLE_ISSUER,
          signer,
          now,
        })
      : readTrustFile(file);
  if (!content)
    throw new Error(
      `SIGNER=pkcs11 needs a bundle trust file at ${file}: create it with npm run bundle-trust -- delegate`,
    );
  const trust = await BundleTrust.load(content, config.BUNDLE_ISSUER);
  return { trust, ...trust.assertDelegates(signer.keyId, now) };
}
