import type { AppConfig } from '../config/app-config';
import type { BundleSigner } from './bundle-signer.port';
import { Es256BundleSigner } from './es256-bundle-signer';
import { LocalKeySigner } from './local-key-signer';
import { Pkcs11Es256Key } from './pkcs11/pkcs11-es256-key';
import { Pkcs11Token } from './pkcs11/pkcs11-token';

/** Picks the signer adapter from configuration; nothing else knows where the private key lives. */
export async function openBundleSigner(config: AppConfig): Promise<BundleSigner> {
  if (config.SIGNER === 'local') return LocalKeySigner.loadOrCreate(config.DATA_DIR);
  // loadAppConfig guarantees every PKCS#11 setting is present when SIGNER=pkcs11.
  const token = Pkcs11Token.open({
    library: config.PKCS11_LIBRARY!,
    tokenLabel: config.PKCS11_TOKEN_LABEL!,
    pin: config.PKCS11_PIN!,
  });
  try {
    return new Es256BundleSigner(await Pkcs11Es256Key.open(token, config.PKCS11_KEY_LABEL!), () =>
      token.close(),
    );
  } catch (error) {
    await token.close();
    throw error;
  }
}
