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

export const isCapability = (name: string): name is Capability =>
  Object.prototype.hasOwnProperty.call(CAPABILITIES, name);

/** Capabilities that can cause physical harm: fixed here, in code, never by a policy document. */
export const PHYSICAL_HARM_LAYER: OnionLayer = 4;
export const isPhysicalHarm = (name: string): boolean =>
  isCapability(name) && CAPABILITIES[name] === PHYSICAL_HARM_LAYER;

/**
 * The layer a capability is treated as under a policy: the policy may move a capability up (fewer
 * may issue it), never below the catalogue's layer, so no document can make a harmful capability
 * issuable. Unknown names have no layer.
 */
export function effectiveLayer(
  name: string,
  policyLayers: Readonly<Record<string, number>>,
): OnionLayer | undefined {
  if (!isCapability(name)) return undefined;
  const tightened = policyLayers[name];
  const layer = Math.max(
    CAPABILITIES[name],
    typeof tightened === 'number' && [1, 2, 3, 4].includes(tightened) ? tightened : 0,
  );
  return layer as OnionLayer;
}

/** What a stolen battery still allows: read-only status, like a phone's activation lock. */
export const SAFE_STATE_CAPABILITIES: readonly Capability[] = ['status.read'];
