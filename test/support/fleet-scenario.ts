import type { JWK } from 'jose';
import { newPublicJwk, type Caller, type TestApp } from './test-app';
import { EXAMPLE_HARD_LIMITS } from '../../src/device-simulator/simulated-fleet';

export const HARD_LIMITS = EXAMPLE_HARD_LIMITS;

export interface Cast {
  platform: Caller;
  provisioner: Caller;
  ownerA: Caller;
  ownerB: Caller;
  fleetManager: Caller;
  outsider: Caller;
}

/** Registers the usual parties (OEM, two lessors, a courier, a workshop) and returns their people. */
export async function registerCast(app: TestApp): Promise<Cast> {
  const platform = await app.caller('pat', 'platform', ['platform-admin']);
  for (const [partyId, kind] of [
    ['oem', 'manufacturer'],
    ['lessor-a', 'lessor'],
    ['lessor-b', 'lessor'],
    ['courier', 'operator'],
    ['workshop', 'service-provider'],
  ]) {
    const response = await app.request('POST', '/v1/parties', {
      as: platform,
      body: { partyId, name: partyId.toUpperCase(), kind },
    });
    if (response.status !== 201)
      throw new Error(`registering ${partyId}: ${response.status} ${response.text}`);
  }
  return {
    platform,
    provisioner: await app.caller('olga', 'oem', ['provisioner']),
    ownerA: await app.caller('alice', 'lessor-a', ['owner-admin']),
    ownerB: await app.caller('bob', 'lessor-b', ['owner-admin']),
    fleetManager: await app.caller('carla', 'courier', ['fleet-manager']),
    outsider: await app.caller('mallory', 'workshop', ['technician']),
  };
}

export async function provision(app: TestApp, cast: Cast, serial: string, deviceJwk?: JWK) {
  const deviceKey = deviceJwk ?? (await newPublicJwk('ES256')).publicJwk;
  const response = await app.request('POST', '/v1/batteries', {
    as: cast.provisioner,
    body: {
      serial,
      model: 'T2-48V',
      chemistry: 'NMC',
      manufacturerId: 'oem',
      firstOwnerId: 'lessor-a',
      hardLimits: HARD_LIMITS,
      deviceKey,
    },
  });
  if (response.status !== 201)
    throw new Error(`provisioning ${serial}: ${response.status} ${response.text}`);
  return { response, deviceKey };
}

export async function issueKey(
  app: TestApp,
  as: Caller,
  serial: string,
  holder: { personId: string; partyId: string },
  capabilities: string[],
) {
  const { publicJwk } = await newPublicJwk();
  return app.request('POST', `/v1/batteries/${serial}/keys`, {
    as,
    body: {
      holder,
      publicKey: publicJwk,
      capabilities,
      notAfter: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
}
