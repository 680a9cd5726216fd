import { exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  initialDeviceState,
  type DeviceProfile,
  type DeviceState,
} from '../../../src/device-verifier';
import { identityOf } from '../../../src/device-simulator/simulated-fleet';
import { SimulatedDevice } from '../../../src/device-simulator/simulated-device';
import type { DeviceIdentity } from '../../../src/device-verifier';
import { HARD_LIMITS, provision, type Cast } from '../../support/fleet-scenario';
import type { TestApp } from '../../support/test-app';

export const BUNDLE_ISSUER = 'urn:battery-keys:bundle-service';

export interface TestDevice {
  identity: DeviceIdentity;
  profile: DeviceProfile;
  publicJwk: JWK;
  privateJwk: JWK;
  initialState(): DeviceState;
  simulated(app: TestApp): SimulatedDevice;
}

/** The root a device pins at manufacture, as the service publishes it. */
export async function pinnedRootOf(app: TestApp): Promise<DeviceProfile['pinnedRoot']> {
  const trust = await app.request('GET', '/.well-known/bundle-trust.json');
  if (trust.status !== 200) throw new Error(`bundle-trust.json: ${trust.status}`);
  const { firstRoot } = trust.body as { firstRoot?: DeviceProfile['pinnedRoot'] };
  if (!firstRoot) throw new Error('bundle-trust.json: no firstRoot');
  return firstRoot;
}

/** A battery provisioned through the API with a device key whose private half the test keeps. */
export async function provisionDevice(
  app: TestApp,
  cast: Cast,
  serial: string,
  keyType: 'ES256' | 'EdDSA' = 'ES256',
): Promise<TestDevice> {
  const { privateKey, publicKey } = await generateKeyPair(keyType, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const publicJwk = await exportJWK(publicKey);
  await provision(app, cast, serial, publicJwk);
  const identity = identityOf({ serial, privateJwk });
  const profile: DeviceProfile = {
    serial,
    identityThumbprint: identity.thumbprint,
    ...(keyType === 'ES256' ? { identityPrivateKey: identity.privateKey } : {}),
    issuer: BUNDLE_ISSUER,
    pinnedRoot: await pinnedRootOf(app),
    hardLimits: HARD_LIMITS,
  };
  return {
    identity,
    profile,
    publicJwk,
    privateJwk,
    initialState: () => initialDeviceState(profile),
    simulated: (target) => new SimulatedDevice(identity, profile, target.baseUrl),
  };
}
