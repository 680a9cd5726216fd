/**
 * The reference device: verifies key bundles and authenticates to the service exactly as
 * docs/key-bundle.md says, importing nothing from the service.
 */
export { verifyBundle, type Verdict } from './bundle-verifier';
export { mayExercise, inSafeState } from './capabilities';
export {
  createDeviceProof,
  createDeviceProofSync,
  type DeviceIdentity,
  type ProofRequest,
} from './device-proof';
export type { DeviceProfile } from './device-profile';
export {
  initialDeviceState,
  readDeviceState,
  writeDeviceState,
  type DeviceState,
} from './device-state';
export { jwkThumbprint } from './jws';
export * from './protocol';
export { REFUSAL_REASONS, type RefusalReason } from './refusal';
export type * from './types';
