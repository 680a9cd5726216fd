/** The shapes of docs/key-bundle.md, as a device reads them. */

export interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface HolderJwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
}

export interface HardLimits {
  cellVoltageMinV: number;
  cellVoltageMaxV: number;
  chargeCurrentMaxA: number;
  dischargeCurrentMaxA: number;
  temperatureMinC: number;
  temperatureMaxC: number;
}

export interface TunableParameters {
  socMinPercent: number;
  socMaxPercent: number;
  chargeCellVoltageMaxV: number;
  chargeCurrentLimitA: number;
  dischargeCurrentLimitA: number;
}

export interface BundleKey {
  kid: string;
  key_id: string;
  holder: { person: string; party: string };
  jwk: HolderJwk;
  caps: string[];
  nbf: number;
  exp: number;
}

export interface BundleClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  fmt: number;
  ver: number;
  locked: boolean;
  owner: string;
  operator: string | null;
  keys: BundleKey[];
  params: TunableParameters;
  limits: HardLimits;
  /** The audit-log leaf of the event that made this version (docs/audit-log.md); informational. */
  log?: { leafIndex: number };
}

export interface BundleEnvelope {
  fmt: number;
  bundle: string;
  delegation: string;
  rootChain: string[];
}

export interface TrustedRoot {
  version: number;
  kid: string;
  jwk: EcPublicJwk;
}

export interface DelegatedKey {
  kid: string;
  jwk: EcPublicJwk;
  nbf: number;
  exp: number;
}
