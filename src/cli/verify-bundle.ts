import { Command, InvalidArgumentError } from 'commander';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  jwkThumbprint,
  readDeviceState,
  verifyBundle,
  writeDeviceState,
  type DeviceProfile,
  type EcPublicJwk,
  type HardLimits,
} from '../device-verifier';
import { acknowledgeBundle, assertLoopback, pullBundleOnce } from '../device-simulator';

/**
 * The reference device on the command line: verifies an envelope (from a file, or pulled from a
 * service with the device's proof) against a pinned root, the device's serial, key and hard
 * limits, and the state file that stands in for the device's monotonic storage.
 * Exit code 0: accepted; 2: refused; 1: could not run.
 */
const wholeNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError('must be a whole number');
  return parsed;
};
const readJson = (file: string) =>
  JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8')) as Record<string, unknown>;

interface Options {
  serial: string;
  deviceKey: string;
  root: string;
  hardLimits: string;
  state?: string;
  envelope?: string;
  url?: string;
  issuer: string;
  now?: number;
  apply?: boolean;
  acknowledge?: boolean;
  encrypt?: boolean;
  requireEncryption?: boolean;
}

const program = new Command()
  .name('verify-bundle')
  .description('Verify a key bundle the way a device does (docs/key-bundle.md)')
  .requiredOption('--serial <serial>', "the device's serial (write-once memory)")
  .requiredOption(
    '--device-key <file>',
    'the device identity key as a JWK file (private: needed for --url and encrypted bundles; public is enough otherwise)',
  )
  .requiredOption('--root <file>', 'the pinned root public key: { "kid", "jwk" } or a bare JWK')
  .requiredOption(
    '--hard-limits <file>',
    "the device's own hard limits (JSON: cellVoltageMinV, cellVoltageMaxV, chargeCurrentMaxA, dischargeCurrentMaxA, temperatureMinC, temperatureMaxC)",
  )
  .option(
    '--state <file>',
    'the state file standing in for monotonic storage (default: device-<serial>.state.json)',
  )
  .option(
    '--envelope <file>',
    'the pulled envelope { fmt, bundle, delegation, rootChain } (- for stdin)',
  )
  .option(
    '--url <url>',
    'pull from this service (loopback) with a device proof instead of reading --envelope',
  )
  .option('--issuer <iss>', 'the pinned issuer', 'urn:battery-keys:bundle-service')
  .option('--now <epoch-seconds>', 'the device clock (default: now)', wholeNumber)
  .option('--apply', 'on acceptance, store the new state')
  .option('--acknowledge', 'with --url and --apply: acknowledge the applied bundle')
  .option('--encrypt', 'with --url: ask for the bundle encrypted to the device key')
  .option('--require-encryption', 'refuse plaintext bundles')
  .action(async (options: Options) => {
    const deviceJwk = readJson(options.deviceKey);
    const { d, ...publicJwk } = deviceJwk;
    const thumbprint = jwkThumbprint(
      publicJwk as { kty: string; crv: string; x: string; y?: string },
    );
    const privateKey =
      typeof d === 'string'
        ? createPrivateKey({ key: deviceJwk as import('node:crypto').JsonWebKey, format: 'jwk' })
        : undefined;
    const rootFile = readJson(options.root);
    const rootJwk = (rootFile.jwk ?? rootFile) as EcPublicJwk;
    const profile: DeviceProfile = {
      serial: options.serial,
      identityThumbprint: thumbprint,
      ...(privateKey?.asymmetricKeyType === 'ec' ? { identityPrivateKey: privateKey } : {}),
      issuer: options.issuer,
      pinnedRoot: { kid: jwkThumbprint(rootJwk), jwk: rootJwk },
      hardLimits: readJson(options.hardLimits) as unknown as HardLimits,
      requireEncryption: options.requireEncryption ?? false,
    };
    const stateFile = options.state ?? `device-${options.serial}.state.json`;
    const state = readDeviceState(stateFile, profile);
    const now = options.now ?? Math.floor(Date.now() / 1000);

    let envelope: unknown;
    const identity = privateKey && { serial: options.serial, privateKey, thumbprint };
    if (options.url) {
      if (!identity) throw new Error('--url needs the private device key to sign the proof');
      const baseUrl = assertLoopback(options.url).origin;
      const etag = state.applied ? `"${state.applied.ver}.${state.applied.iat}"` : undefined;
      const pulled = await pullBundleOnce({
        baseUrl,
        device: identity,
        etag,
        encrypt: options.encrypt,
      });
      if (pulled.status === 304)
        return print(
          {
            accepted: false,
            current: true,
            detail: 'the device already holds the current bundle (304)',
          },
          0,
        );
      if (pulled.status !== 200)
        throw new Error(`Pull refused: ${pulled.status} ${pulled.code ?? ''}`);
      envelope = pulled.envelope;
    } else if (options.envelope) {
      envelope = readJson(options.envelope);
    } else {
      throw new Error('Give --envelope <file> or --url <service>');
    }

    const verdict = await verifyBundle(envelope, profile, state, now);
    if (!verdict.accepted)
      return print({ accepted: false, reason: verdict.reason, detail: verdict.detail }, 2);
    const { ver, iat, exp, locked, keys } = verdict.claims;
    if (options.apply) writeDeviceState(stateFile, verdict.state);
    let acknowledged: number | undefined;
    if (options.apply && options.acknowledge && options.url && identity) {
      acknowledged = (
        await acknowledgeBundle({
          baseUrl: assertLoopback(options.url).origin,
          device: identity,
          ver,
          iat,
        })
      ).status;
    }
    print(
      {
        accepted: true,
        ver,
        iat,
        exp,
        locked,
        keys: keys.length,
        rootVersion: verdict.state.root.version,
        applied: options.apply ?? false,
        ...(acknowledged ? { acknowledged } : {}),
      },
      0,
    );
  });

function print(result: object, exitCode: number): void {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exitCode = exitCode;
}

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
