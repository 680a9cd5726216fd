import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { createPrivateKey } from 'node:crypto';
import { jwkThumbprint, type DeviceIdentity, type HardLimits } from '../device-verifier';

/** The parties the simulator provisions under; registering them again is harmless. */
export const SIMULATOR_MANUFACTURER = 'sim-oem';
export const SIMULATOR_OWNER = 'sim-lessor';

/**
 * The example pack (a 48 V NMC battery): the hard limits the simulator provisions with, and the
 * ones tests and benchmarks use, so the example lives in one place.
 */
export const EXAMPLE_HARD_LIMITS: HardLimits = {
  cellVoltageMinV: 2.8,
  cellVoltageMaxV: 4.25,
  chargeCurrentMaxA: 100,
  dischargeCurrentMaxA: 200,
  temperatureMinC: -20,
  temperatureMaxC: 60,
};

/** A device the simulator can play: its serial and its identity private key (test keys only). */
export interface FleetDevice {
  serial: string;
  privateJwk: JWK;
}

/** A fleet saved to disk so a later run plays the same batteries without provisioning. */
export interface FleetFixture {
  hardLimits: HardLimits;
  devices: FleetDevice[];
}

export interface FleetTokens {
  platform: string;
  provisioner: string;
}

export function identityOf(device: FleetDevice): DeviceIdentity {
  const { d: _private, ...publicJwk } = device.privateJwk;
  return {
    serial: device.serial,
    privateKey: createPrivateKey({
      key: device.privateJwk as import('node:crypto').JsonWebKey,
      format: 'jwk',
    }),
    thumbprint: jwkThumbprint(publicJwk as { kty: string; crv: string; x: string; y?: string }),
  };
}

/**
 * Registers the simulator's parties and provisions `count` batteries with fresh device keys,
 * a few at a time. Each battery's first owner issues no keys: the bundle is the battery's own.
 */
export async function provisionFleet(options: {
  baseUrl: string;
  tokens: FleetTokens;
  count: number;
  serialPrefix: string;
  keyType: 'ES256' | 'EdDSA';
  concurrency: number;
}): Promise<FleetFixture> {
  for (const [partyId, kind] of [
    [SIMULATOR_MANUFACTURER, 'manufacturer'],
    [SIMULATOR_OWNER, 'lessor'],
  ]) {
    const response = await post(options.baseUrl, '/v1/parties', options.tokens.platform, {
      partyId,
      name: partyId,
      kind,
    });
    if (response.status !== 201 && response.code !== 'party-already-registered')
      throw new Error(`Registering ${partyId}: ${response.status} ${response.code ?? ''}`);
  }
  const devices: FleetDevice[] = [];
  await inBatches(options.count, options.concurrency, async (index) => {
    const serial = `${options.serialPrefix}-${String(index + 1).padStart(5, '0')}`;
    const { privateKey } = await generateKeyPair(options.keyType, { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const { d: _private, ...deviceKey } = privateJwk;
    const response = await post(options.baseUrl, '/v1/batteries', options.tokens.provisioner, {
      serial,
      model: 'SIM-48V',
      chemistry: 'NMC',
      manufacturerId: SIMULATOR_MANUFACTURER,
      firstOwnerId: SIMULATOR_OWNER,
      hardLimits: EXAMPLE_HARD_LIMITS,
      deviceKey,
    });
    if (response.status !== 201)
      throw new Error(`Provisioning ${serial}: ${response.status} ${response.code ?? ''}`);
    devices[index] = { serial, privateJwk };
  });
  return { hardLimits: EXAMPLE_HARD_LIMITS, devices };
}

async function post(
  baseUrl: string,
  path: string,
  token: string,
  body: unknown,
): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { code?: string };
  return { status: response.status, code: answer.code };
}

/** Runs `work(0..count-1)` with at most `concurrency` in flight. */
export async function inBatches(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
