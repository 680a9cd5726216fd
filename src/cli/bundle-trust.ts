import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { loadAppConfig, type AppConfig } from '../config/app-config';
import { LocalEs256Key } from '../signing/local-es256-key';
import { Pkcs11Token } from '../signing/pkcs11/pkcs11-token';
import { describeTrust } from '../signing/trust/describe-trust';
import { LOCAL_ROOT_KEY_FILE } from '../signing/trust/local-trust';
import { trustFileOf } from '../signing/trust/load-bundle-trust';
import { rotateHsmOnlineKey, rotateLocalOnlineKey } from '../signing/trust/online-key-rotation';
import { readTrustFile, writeTrustFile } from '../signing/trust/trust-file';
import { createTrust, delegate, delegatedKey, rotateRoot } from '../signing/trust/trust-issuance';

/**
 * The chain of trust devices verify bundles through: the root they pin at manufacture, the
 * delegation naming the online signing keys, and root rotations. Reads DATA_DIR, SIGNER,
 * BUNDLE_ISSUER, BUNDLE_TRUST_FILE and PKCS11_* like the service. A rotation takes effect when
 * the service restarts.
 */
const positive = (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError('must be a positive number');
  return parsed;
};
const epochSeconds = () => Math.floor(Date.now() / 1000);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function config(): AppConfig {
  return loadAppConfig(process.env);
}

/** The root key file; the embedded default keeps one in DATA_DIR, production passes the offline one. */
function rootKey(file: string | undefined, settings: AppConfig): Promise<LocalEs256Key> {
  return LocalEs256Key.readFile(file ?? join(settings.DATA_DIR, LOCAL_ROOT_KEY_FILE));
}

function openToken(settings: AppConfig): Pkcs11Token {
  if (!settings.PKCS11_LIBRARY || !settings.PKCS11_TOKEN_LABEL || !settings.PKCS11_PIN)
    throw new Error('Set PKCS11_LIBRARY, PKCS11_TOKEN_LABEL and PKCS11_PIN');
  return Pkcs11Token.open({
    library: settings.PKCS11_LIBRARY,
    tokenLabel: settings.PKCS11_TOKEN_LABEL,
    pin: settings.PKCS11_PIN,
  });
}

const program = new Command()
  .name('bundle-trust')
  .description(
    'Manage the root → delegation → online key chain that devices verify bundles through',
  );

program
  .command('show')
  .description('Verify the trust file and list the roots and delegated keys with their windows')
  .action(async () => {
    const settings = config();
    const trust = readTrustFile(trustFileOf(settings));
    if (!trust) throw new Error(`No trust file at ${trustFileOf(settings)}`);
    print(await describeTrust(trust, settings.BUNDLE_ISSUER, epochSeconds()));
  });

program
  .command('create-root')
  .description(
    'Generate a root key (a private JWK file, mode 0600): keep it offline; devices pin its public half',
  )
  .requiredOption('--out <file>', 'where to write the private root key (must not exist)')
  .action(async (options: { out: string }) => {
    const root = await LocalEs256Key.createFile(options.out);
    print({ kid: root.kid, publicJwk: root.publicJwk });
  });

program
  .command('create-hsm-key')
  .description(
    'Generate a P-256 key pair inside the HSM (PKCS11_* settings); its private key can sign and never leaves the token',
  )
  .requiredOption(
    '--label <label>',
    'the label (CKA_LABEL) to give it: PKCS11_KEY_LABEL names it to the service',
  )
  .action(async (options: { label: string }) => {
    const token = openToken(config());
    try {
      const { publicJwk } = await token.generateKeyPair(options.label);
      print({ label: options.label, publicJwk });
    } finally {
      await token.close();
    }
  });

program
  .command('delegate')
  .description(
    'Sign a new delegation naming exactly the given online keys (creates the trust file if there is none)',
  )
  .option(
    '--root-key <file>',
    'the current root private key (default: the embedded one in DATA_DIR)',
  )
  .option('--key <file...>', 'public JWK files of the online keys to delegate to')
  .option('--hsm-key-label <label>', 'delegate to the HSM key with this label (PKCS11_* settings)')
  .option('--valid-days <days>', 'how long the keys may sign', positive, 365)
  .action(
    async (options: {
      rootKey?: string;
      key?: string[];
      hsmKeyLabel?: string;
      validDays: number;
    }) => {
      const settings = config();
      const root = await rootKey(options.rootKey, settings);
      const keys: JWK[] = (options.key ?? []).map(
        (file) => JSON.parse(readFileSync(file, 'utf8')) as JWK,
      );
      if (options.hsmKeyLabel) {
        const token = openToken(settings);
        try {
          keys.push((await token.findKeyPair(options.hsmKeyLabel)).publicJwk);
        } finally {
          await token.close();
        }
      }
      if (keys.length === 0) throw new Error('Name at least one key (--key or --hsm-key-label)');
      const file = trustFileOf(settings);
      const terms = { issuer: settings.BUNDLE_ISSUER, now: epochSeconds() };
      const existing = readTrustFile(file);
      const windows = await Promise.all(
        keys.map((jwk) =>
          delegatedKey(jwk, terms.now, terms.now + Math.round(options.validDays * 86_400)),
        ),
      );
      const trust = existing
        ? await delegate(existing, root, windows, terms)
        : await createTrust(root, keys, options.validDays, terms);
      writeTrustFile(file, trust);
      print(await describeTrust(trust, settings.BUNDLE_ISSUER, terms.now));
    },
  );

program
  .command('rotate-online-key')
  .description(
    'Make a new online signing key, delegate to it and retire the current one after the overlap; restart the service afterwards',
  )
  .option(
    '--root-key <file>',
    'the current root private key (default: the embedded one in DATA_DIR)',
  )
  .option(
    '--new-key-label <label>',
    'with SIGNER=pkcs11: the label of the key pair to generate in the HSM',
  )
  .option('--overlap-hours <hours>', 'how long devices still accept the old key', positive, 48)
  .option('--valid-days <days>', 'how long the new key may sign', positive, 365)
  .action(
    async (options: {
      rootKey?: string;
      newKeyLabel?: string;
      overlapHours: number;
      validDays: number;
    }) => {
      const settings = config();
      const rotation = {
        trustFile: trustFileOf(settings),
        issuer: settings.BUNDLE_ISSUER,
        root: await rootKey(options.rootKey, settings),
        overlapSeconds: Math.round(options.overlapHours * 3600),
        validDays: options.validDays,
        now: epochSeconds(),
      };
      if (settings.SIGNER === 'local') {
        const { kid } = await rotateLocalOnlineKey(settings.DATA_DIR, rotation);
        print({ rotatedTo: kid, next: 'restart the service' });
        return;
      }
      if (!options.newKeyLabel) throw new Error('With SIGNER=pkcs11 give --new-key-label');
      const token = openToken(settings);
      try {
        const { kid } = await rotateHsmOnlineKey(token, options.newKeyLabel, rotation);
        print({
          rotatedTo: kid,
          next: `set PKCS11_KEY_LABEL=${options.newKeyLabel} and restart the service`,
        });
      } finally {
        await token.close();
      }
    },
  );

program
  .command('rotate-root')
  .description(
    'Replace the root: the current root signs a statement naming the next one, which re-signs the delegation',
  )
  .requiredOption('--root-key <file>', 'the current root private key')
  .requiredOption('--new-root-key <file>', 'the next root private key (make it with create-root)')
  .action(async (options: { rootKey: string; newRootKey: string }) => {
    const settings = config();
    const file = trustFileOf(settings);
    const trust = readTrustFile(file);
    if (!trust) throw new Error(`No trust file at ${file}`);
    const terms = { issuer: settings.BUNDLE_ISSUER, now: epochSeconds() };
    const rotated = await rotateRoot(
      trust,
      await LocalEs256Key.readFile(options.rootKey),
      await LocalEs256Key.readFile(options.newRootKey),
      terms,
    );
    writeTrustFile(file, rotated);
    print(await describeTrust(rotated, settings.BUNDLE_ISSUER, terms.now));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
