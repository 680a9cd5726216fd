/**
 * The fixed catalogue of capabilities a key can carry, each with its layer of the security
 * onion: the more harm a misuse can cause, the higher the layer and the fewer who may hold it.
 */
export type OnionLayer = 1 | 2 | 3 | 4;

export const CAPABILITIES = {
  // Layer 1: user-abuse control.
  'status.read': 1,
  discharge: 1,
  charge: 1,
  // Layer 2: service-personnel error.
  'diagnostics.read': 2,
  'cells.balance': 2,
  'faults.reset': 2,
  'firmware.install-signed': 2,
  // Layer 3: financial harm.
  'soc-window.change': 3,
  'rate-limits.change': 3,
  'lease.assign': 3,
  'ownership.transfer': 3,
  'remote.disable': 3,
  // Layer 4: physical harm. Listed so a request for it is named and refused, never unknown.
  'hard-limits.exceed': 4,
} as const satisfies Record<string, OnionLayer>;

export type Capability = keyof typeof CAPABILITIES;
export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as Capability[];

export const layerOf = (capability: Capability): OnionLayer => CAPABILITIES[capability];
export const isCapability = (name: string): name is Capability => Object.prototype.hasOwnProperty.call(CAPABILITIES, name);

/** What a stolen battery still allows: read-only status, like a phone's activation lock. */
export const SAFE_STATE_CAPABILITIES: readonly Capability[] = ['status.read'];
