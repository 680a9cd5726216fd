import type { DeviceProfile, EcPublicJwk } from '../device-verifier';
import { assertLoopback } from './loopback';
import { SimulatedDevice, type SyncOutcome } from './simulated-device';
import { identityOf, inBatches, type FleetFixture } from './simulated-fleet';

export const MAX_SIMULATED_DEVICES = 10_000;
export const MAX_SIMULATION_ROUNDS = 100;

export interface SimulationOptions {
  baseUrl: string;
  fleet: FleetFixture;
  /** Pull rounds per device; a device stops early once it holds the current bundle. */
  rounds: number;
  concurrency: number;
  encrypt: boolean;
  /** The whole run stops after this, whatever is left. */
  timeoutMs: number;
  issuer: string;
  /** The root the devices "pinned at manufacture"; taken from the service by the CLI (trust on first use). */
  pinnedRoot: { kid: string; jwk: EcPublicJwk };
}

export interface SimulationSummary {
  devices: number;
  /** Applied and acknowledged the bundle the service serves. */
  synced: number;
  /** Did not get there: failed requests or out of time. */
  lagging: number;
  /** Refused by the verifier, by reason. */
  refused: Record<string, number>;
  failures: Record<string, number>;
  /** Sync rounds played (a round: pull, and on a new bundle verify, apply and acknowledge). */
  rounds: number;
  roundLatencyMs: { p50: number; p95: number; max: number };
  elapsedMs: number;
}

/** Plays every device of the fleet against the service, bounded in count, rounds and time. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  const baseUrl = assertLoopback(options.baseUrl).origin;
  if (options.fleet.devices.length > MAX_SIMULATED_DEVICES)
    throw new Error(`At most ${MAX_SIMULATED_DEVICES} devices per run`);
  const rounds = Math.min(Math.max(options.rounds, 1), MAX_SIMULATION_ROUNDS);
  const started = performance.now();
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const latencies: number[] = [];
  const last: SyncOutcome[] = [];

  await inBatches(options.fleet.devices.length, options.concurrency, async (index) => {
    const identity = identityOf(options.fleet.devices[index]);
    // Ed25519 devices cannot receive encrypted bundles; they pull in clear even with --encrypt.
    const encrypt = options.encrypt && identity.privateKey.asymmetricKeyType === 'ec';
    const profile: DeviceProfile = {
      serial: identity.serial,
      identityThumbprint: identity.thumbprint,
      ...(encrypt ? { identityPrivateKey: identity.privateKey } : {}),
      issuer: options.issuer,
      pinnedRoot: options.pinnedRoot,
      hardLimits: options.fleet.hardLimits,
    };
    const device = new SimulatedDevice(identity, profile, baseUrl);
    let outcome: SyncOutcome = { kind: 'failed', status: 0, code: 'not-started' };
    for (let round = 0; round < rounds && !deadline.aborted; round++) {
      const before = performance.now();
      try {
        outcome = await device.sync({ encrypt, signal: deadline });
      } catch (error) {
        outcome = {
          kind: 'failed',
          status: 0,
          code: deadline.aborted ? 'timeout' : (error as Error).message,
        };
      }
      latencies.push(performance.now() - before);
      if (outcome.kind === 'current' || outcome.kind === 'refused') break;
    }
    last[index] = outcome;
  });

  const summary: SimulationSummary = {
    devices: options.fleet.devices.length,
    synced: 0,
    lagging: 0,
    refused: {},
    failures: {},
    rounds: latencies.length,
    roundLatencyMs: percentiles(latencies),
    elapsedMs: Math.round(performance.now() - started),
  };
  for (const outcome of last) {
    if (outcome.kind === 'applied' || outcome.kind === 'current') summary.synced += 1;
    else if (outcome.kind === 'refused')
      summary.refused[outcome.reason] = (summary.refused[outcome.reason] ?? 0) + 1;
    else {
      summary.lagging += 1;
      const key = `${outcome.status} ${outcome.code ?? ''}`.trim();
      summary.failures[key] = (summary.failures[key] ?? 0) + 1;
    }
  }
  return summary;
}

function percentiles(values: number[]): SimulationSummary['roundLatencyMs'] {
  if (values.length === 0) return { p50: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), max: Math.round(sorted[sorted.length - 1] * 10) / 10 };
}
