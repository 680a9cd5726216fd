import { isWholeNumber } from './jws';
import { refuse } from './refusal';
import type { BundleClaims, BundleKey } from './types';

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const PARAMS = [
  'socMinPercent',
  'socMaxPercent',
  'chargeCellVoltageMaxV',
  'chargeCurrentLimitA',
  'dischargeCurrentLimitA',
] as const;
const LIMITS = [
  'cellVoltageMinV',
  'cellVoltageMaxV',
  'chargeCurrentMaxA',
  'dischargeCurrentMaxA',
  'temperatureMinC',
  'temperatureMaxC',
] as const;

/**
 * The claims of format 1, typed. Claims a format-1 device does not know are ignored (the format
 * grows only by optional claims); a missing or mistyped one it needs is a refusal.
 */
export function readBundleClaims(claims: Record<string, unknown>): BundleClaims {
  const problems: string[] = [];
  for (const name of ['iss', 'sub', 'aud', 'owner'] as const)
    if (!isString(claims[name])) problems.push(name);
  for (const name of ['iat', 'exp', 'ver'] as const)
    if (!isWholeNumber(claims[name])) problems.push(name);
  if (typeof claims.locked !== 'boolean') problems.push('locked');
  if (!(claims.operator === null || isString(claims.operator))) problems.push('operator');
  if (
    !isObject(claims.params) ||
    PARAMS.some((name) => !isNumber((claims.params as Record<string, unknown>)[name]))
  )
    problems.push('params');
  if (
    !isObject(claims.limits) ||
    LIMITS.some((name) => !isNumber((claims.limits as Record<string, unknown>)[name]))
  )
    problems.push('limits');
  if (!Array.isArray(claims.keys) || !claims.keys.every(isBundleKey)) problems.push('keys');
  if (problems.length > 0)
    return refuse('invalid-claims', `missing or mistyped: ${problems.join(', ')}`);
  return claims as unknown as BundleClaims;
}

function isBundleKey(value: unknown): value is BundleKey {
  if (!isObject(value)) return false;
  const holder = value.holder;
  const jwk = value.jwk;
  return (
    isString(value.kid) &&
    isString(value.key_id) &&
    isObject(holder) &&
    isString(holder.person) &&
    isString(holder.party) &&
    isObject(jwk) &&
    isString(jwk.kty) &&
    isString(jwk.crv) &&
    isString(jwk.x) &&
    Array.isArray(value.caps) &&
    value.caps.every(isString) &&
    isWholeNumber(value.nbf) &&
    isWholeNumber(value.exp)
  );
}
