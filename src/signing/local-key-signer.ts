import { join } from 'node:path';
import { Es256BundleSigner } from './es256-bundle-signer';
import { LocalEs256Key } from './local-es256-key';

export const LOCAL_SIGNING_KEY_FILE = 'bundle-signing.private.jwk';

/**
 * The embedded default: an ES256 key generated on first start and kept (mode 0600) under the
 * data directory, so bundles keep verifying across restarts. Production uses an HSM instead.
 */
export const LocalKeySigner = {
  async loadOrCreate(dataDir: string): Promise<Es256BundleSigner> {
    return new Es256BundleSigner(
      await LocalEs256Key.readOrCreateFile(join(dataDir, LOCAL_SIGNING_KEY_FILE)),
    );
  },
};
