import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { DeviceProfile } from './device-profile';
import type { BundleClaims, TrustedRoot } from './types';

/**
 * The device's rewritable state. On a real device the applied `(ver, iat)`, the root version and
 * the delegation version live in monotonic storage; here a state file stands in for it.
 */
export interface DeviceState {
  /** The root the device trusts now: version 1 is the pinned one, rotations move it forward. */
  root: TrustedRoot;
  /** The newest delegation seen; older ones are refused. */
  delegationVersion: number;
  /** The applied bundle's counter and expiry; null until the first bundle. */
  applied: { ver: number; iat: number; exp: number } | null;
  /** The applied bundle: the rewritable key repository the device enforces. */
  bundle: BundleClaims | null;
}

export function initialDeviceState(profile: DeviceProfile): DeviceState {
  return {
    root: { version: 1, kid: profile.pinnedRoot.kid, jwk: profile.pinnedRoot.jwk },
    delegationVersion: 0,
    applied: null,
    bundle: null,
  };
}

export function readDeviceState(file: string, profile: DeviceProfile): DeviceState {
  if (!existsSync(file)) return initialDeviceState(profile);
  return JSON.parse(readFileSync(file, 'utf8')) as DeviceState;
}

/**
 * Written to the inactive "bank" (a temporary file), flushed, then switched in with a rename:
 * a crash leaves either the old state or the new one, never half of each.
 */
export function writeDeviceState(file: string, state: DeviceState): void {
  mkdirSync(dirname(file), { recursive: true });
  const bank = `${file}.next`;
  const fd = openSync(bank, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(bank, file);
}
