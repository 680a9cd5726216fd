import { SAFE_STATE_CAPABILITY } from './protocol';
import type { DeviceState } from './device-state';

/**
 * Whether the holder of key `kid` may exercise `capability` now, by the applied bundle. A locked
 * battery, or one whose bundle expired without a newer one, is in the safe state: read-only
 * status and nothing else.
 */
export function mayExercise(
  state: DeviceState,
  kid: string,
  capability: string,
  now: number,
): boolean {
  if (!state.bundle || !state.applied) return false;
  const key = state.bundle.keys.find((candidate) => candidate.kid === kid);
  if (!key || now < key.nbf || now >= key.exp) return false;
  if (inSafeState(state, now) && capability !== SAFE_STATE_CAPABILITY) return false;
  return key.caps.includes(capability);
}

export function inSafeState(state: DeviceState, now: number): boolean {
  return !state.applied || !state.bundle || state.bundle.locked || now >= state.applied.exp;
}
