import { Command, InvalidArgumentError } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadAppConfig } from '../config/app-config';
import { loadOrCreateLocalIssuerKey, mintToken } from '../auth/local-token-issuer';
import type { EcPublicJwk } from '../device-verifier';
import {
  assertLoopback,
  provisionFleet,
  runSimulation,
  type FleetFixture,
} from '../device-simulator';
import { MAX_SIMULATED_DEVICES, MAX_SIMULATION_ROUNDS } from '../device-simulator/simulation';

/**
 * Plays a fleet of reference devices against a local service: provisions N batteries with fresh
 * device keys (tokens from the embedded local issuer, like `npm run token`) or takes a fixture,
 * then each device pulls, verifies, applies and acknowledges, and a summary is printed.
 */
const bounded = (max: number) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max)
    throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
  return parsed;
};

interface Options {
  devices: number;
  url: string;
  fixture?: string;
  saveFixture?: string;
  rounds: number;
  concurrency: number;
  encrypt?: boolean;
  keyType: 'ES256' | 'EdDSA';
  timeoutSeconds: number;
}

const program = new Command()
  .name('simulate-devices')
  .description(
    'Simulate battery devices pulling, verifying, applying and acknowledging their bundles (loopback only)',
  )
  .option(
    '--devices <n>',
    'how many devices to provision and play',
    bounded(MAX_SIMULATED_DEVICES),
    10,
  )
  .option('--url <url>', 'the service (loopback)', 'http://127.0.0.1:3000')
  .option('--fixture <file>', 'play these devices instead of provisioning new ones')
  .option(
    '--save-fixture <file>',
    'write the provisioned devices (serials and TEST device keys) for a later run',
  )
  .option('--rounds <n>', 'pull rounds per device at most', bounded(MAX_SIMULATION_ROUNDS), 3)
  .option('--concurrency <n>', 'devices in flight at once', bounded(256), 16)
  .option('--encrypt', 'pull bundles encrypted to the device keys (P-256 devices)')
  .option('--key-type <alg>', 'device identity keys: ES256 (P-256) or EdDSA (Ed25519)', 'ES256')
  .option('--timeout-seconds <n>', 'stop the whole run after this', bounded(3600), 60)
  .action(async (options: Options) => {
    if (options.keyType !== 'ES256' && options.keyType !== 'EdDSA')
      throw new Error('--key-type is ES256 or EdDSA');
    const baseUrl = assertLoopback(options.url).origin;
    const config = loadAppConfig(process.env);
    // A real device has its root burned in at manufacture; simulated ones take it from the service
    // they are about to test (trust on first use), which is only sound on this machine.
    const trust = (await (await fetch(`${baseUrl}/.well-known/bundle-trust.json`)).json()) as {
      firstRoot: { kid: string; jwk: EcPublicJwk };
    };
    let fleet: FleetFixture;
    if (options.fixture) {
      fleet = JSON.parse(readFileSync(options.fixture, 'utf8')) as FleetFixture;
    } else {
      if (config.AUTH_JWKS_URL)
        throw new Error(
          'AUTH_JWKS_URL is set: the simulator mints tokens with the local issuer only; pass --fixture instead',
        );
      const key = await loadOrCreateLocalIssuerKey(config.DATA_DIR);
      const token = (personId: string, partyId: string, role: string) =>
        mintToken(key, config.AUTH_ISSUER, config.AUTH_AUDIENCE, {
          personId,
          partyId,
          roles: [role],
          ttlSeconds: 3600,
        });
      const tokens = {
        platform: await token('sim-platform', 'platform', 'platform-admin'),
        provisioner: await token('sim-provisioner', 'sim-oem', 'provisioner'),
      };
      fleet = await provisionFleet({
        baseUrl,
        tokens,
        count: options.devices,
        serialPrefix: `SIM-${Date.now().toString(36).toUpperCase()}`,
        keyType: options.keyType,
        concurrency: Math.min(options.concurrency, 8),
      });
      if (options.saveFixture)
        writeFileSync(options.saveFixture, JSON.stringify(fleet, null, 2), { mode: 0o600 });
    }
    const summary = await runSimulation({
      baseUrl,
      fleet,
      rounds: options.rounds,
      concurrency: options.concurrency,
      encrypt: options.encrypt ?? false,
      timeoutMs: options.timeoutSeconds * 1000,
      issuer: config.BUNDLE_ISSUER,
      pinnedRoot: trust.firstRoot,
    });
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (summary.synced !== summary.devices) process.exitCode = 2;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
