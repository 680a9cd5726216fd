import { calculateJwkThumbprint, type JWK } from 'jose';
import { signCompactJws } from '../compact-jws';
import { essentialEcJwk, type Es256Key } from '../es256-key';
import {
  DELEGATION_TYP,
  ROOT_STATEMENT_TYP,
  type DelegatedKey,
  type SigningDelegation,
} from './trust-documents';
import type { TrustFile } from './trust-file';
import { verifyTrust } from './trust-chain';

/**
 * Everything a root key signs: the first trust file, new delegations (online keys added, renewed
 * or retired) and root rotations. Used by the `bundle-trust` CLI and the embedded default; each
 * step verifies the chain it extends.
 */
export interface IssuanceTerms {
  issuer: string;
  /** Seconds since the epoch. */
  now: number;
}

const seconds = (days: number) => Math.round(days * 86_400);

export async function delegatedKey(jwk: JWK, nbf: number, exp: number): Promise<DelegatedKey> {
  const essential = essentialEcJwk(jwk);
  return { kid: await calculateJwkThumbprint(essential), jwk: essential, nbf, exp };
}

/** A new chain: the root devices will pin, delegating to the given online keys for `validDays`. */
export async function createTrust(
  root: Es256Key,
  onlineKeys: JWK[],
  validDays: number,
  terms: IssuanceTerms,
): Promise<TrustFile> {
  const keys = await Promise.all(
    onlineKeys.map((jwk) => delegatedKey(jwk, terms.now, terms.now + seconds(validDays))),
  );
  const delegation = await signDelegation(root, {
    iss: terms.issuer,
    iat: terms.now,
    ver: 1,
    keys,
  });
  return {
    format: 1,
    firstRoot: { kid: root.kid, jwk: root.publicJwk },
    rootChain: [],
    delegation,
  };
}

/** The next delegation, naming exactly `keys`. */
export async function delegate(
  trust: TrustFile,
  root: Es256Key,
  keys: DelegatedKey[],
  terms: IssuanceTerms,
): Promise<TrustFile> {
  const verified = await verifyTrust(trust, terms.issuer);
  assertCurrentRoot(root, verified.root.kid);
  if (keys.length === 0) throw new Error('A delegation must name at least one online key');
  const delegation = await signDelegation(root, {
    iss: terms.issuer,
    iat: terms.now,
    ver: verified.delegation.ver + 1,
    keys,
  });
  return { ...trust, delegation };
}

/**
 * Rotation of the online key without re-flashing: the new key is delegated from now for
 * `validDays`; every key still valid is retired at `now + overlapSeconds`, long enough for
 * instances still signing with it to restart; keys already past their window are dropped.
 */
export async function rotateOnlineKey(
  trust: TrustFile,
  root: Es256Key,
  newKey: JWK,
  options: { validDays: number; overlapSeconds: number },
  terms: IssuanceTerms,
): Promise<TrustFile> {
  const verified = await verifyTrust(trust, terms.issuer);
  const incoming = await delegatedKey(newKey, terms.now, terms.now + seconds(options.validDays));
  const retiring = verified.delegation.keys
    .filter((key) => key.kid !== incoming.kid && key.exp > terms.now)
    .map((key) => ({ ...key, exp: Math.min(key.exp, terms.now + options.overlapSeconds) }));
  return delegate(trust, root, [...retiring, incoming], terms);
}

/**
 * Rotation of the root itself: the current root signs a statement naming the next one (version +
 * 1), and the next root signs the delegation again. Devices walk the chain from the root they
 * pinned, so none of them needs re-flashing.
 */
export async function rotateRoot(
  trust: TrustFile,
  currentRoot: Es256Key,
  nextRoot: Es256Key,
  terms: IssuanceTerms,
): Promise<TrustFile> {
  const verified = await verifyTrust(trust, terms.issuer);
  assertCurrentRoot(currentRoot, verified.root.kid);
  if (nextRoot.kid === currentRoot.kid) throw new Error('The next root must be a different key');
  const statement = await signCompactJws(
    currentRoot,
    { typ: ROOT_STATEMENT_TYP },
    {
      iss: terms.issuer,
      iat: terms.now,
      ver: verified.root.version + 1,
      root: { kid: nextRoot.kid, jwk: nextRoot.publicJwk },
    },
  );
  const rotated: TrustFile = { ...trust, rootChain: [...trust.rootChain, statement] };
  const delegation = await signDelegation(nextRoot, {
    ...verified.delegation,
    iat: terms.now,
    ver: verified.delegation.ver + 1,
  });
  const result = { ...rotated, delegation };
  await verifyTrust(result, terms.issuer);
  return result;
}

function signDelegation(root: Es256Key, delegation: SigningDelegation): Promise<string> {
  return signCompactJws(root, { typ: DELEGATION_TYP }, delegation);
}

function assertCurrentRoot(root: Es256Key, currentKid: string): void {
  if (root.kid !== currentKid)
    throw new Error(`The key given as root (${root.kid}) is not the current root (${currentKid})`);
}
