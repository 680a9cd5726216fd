import {
  DELEGATION_TYP,
  MAX_DELEGATED_KEYS,
  MAX_ROOT_CHAIN,
  ROOT_STATEMENT_TYP,
  SIGNATURE_ALG,
} from './protocol';
import { refuse } from './refusal';
import {
  isEcPublicJwk,
  isWholeNumber,
  jwkThumbprint,
  parseCompactJws,
  parseJsonObject,
  verifyEs256,
} from './jws';
import type { DelegatedKey, TrustedRoot } from './types';

/**
 * From the root the device trusts to today's root: each rotation statement must introduce
 * exactly the next version and be signed by the root before it. Statements for versions the
 * device already trusts are skipped, so the service can always send the whole chain.
 */
export async function walkRootChain(
  trusted: TrustedRoot,
  chain: unknown,
  issuer: string,
): Promise<TrustedRoot> {
  if (!Array.isArray(chain) || chain.length > MAX_ROOT_CHAIN)
    return refuse(
      'malformed',
      `rootChain must be an array of at most ${MAX_ROOT_CHAIN} statements`,
    );
  let root = trusted;
  for (const [index, statement] of chain.entries()) {
    const jws = typeof statement === 'string' ? parseCompactJws(statement) : undefined;
    const claims = jws && parseJsonObject(jws.payload);
    if (!jws || !claims)
      return refuse('root-chain-broken', `root statement ${index + 1} is not a compact JWS`);
    if (!isWholeNumber(claims.ver))
      return refuse('root-chain-broken', `root statement ${index + 1} has no version`);
    if (claims.ver <= root.version) continue;
    if (claims.ver !== root.version + 1)
      return refuse(
        'root-chain-broken',
        `root version ${claims.ver} follows ${root.version}: a statement is missing`,
      );
    if (
      jws.header.alg !== SIGNATURE_ALG ||
      jws.header.typ !== ROOT_STATEMENT_TYP ||
      jws.header.kid !== root.kid
    ) {
      return refuse(
        'root-chain-broken',
        `root statement ${claims.ver} must be ${SIGNATURE_ALG}, typ ${ROOT_STATEMENT_TYP}, signed by root ${root.version}`,
      );
    }
    if (!(await verifyEs256(jws, root.jwk)))
      return refuse(
        'root-statement-bad-signature',
        `root statement ${claims.ver} is not signed by root ${root.version}`,
      );
    const next = claims.root as { kid?: unknown; jwk?: unknown } | undefined;
    if (
      claims.iss !== issuer ||
      !next ||
      !isEcPublicJwk(next.jwk) ||
      next.kid !== jwkThumbprint(next.jwk)
    ) {
      return refuse(
        'root-chain-broken',
        `root statement ${claims.ver} does not name a P-256 root of ${issuer}`,
      );
    }
    root = {
      version: claims.ver,
      kid: next.kid,
      jwk: { kty: 'EC', crv: 'P-256', x: next.jwk.x, y: next.jwk.y },
    };
  }
  return root;
}

export interface VerifiedDelegation {
  ver: number;
  keys: DelegatedKey[];
}

/** The root's statement of which online keys sign bundles, never older than one already seen. */
export async function verifyDelegation(
  delegation: unknown,
  root: TrustedRoot,
  issuer: string,
  newestSeen: number,
): Promise<VerifiedDelegation> {
  const jws = typeof delegation === 'string' ? parseCompactJws(delegation) : undefined;
  if (!jws) return refuse('delegation-malformed', 'the delegation is not a compact JWS');
  if (jws.header.alg !== SIGNATURE_ALG || jws.header.typ !== DELEGATION_TYP) {
    return refuse(
      'delegation-malformed',
      `a delegation is ${SIGNATURE_ALG} with typ ${DELEGATION_TYP}`,
    );
  }
  if (jws.header.kid !== root.kid || !(await verifyEs256(jws, root.jwk))) {
    return refuse(
      'delegation-bad-signature',
      `the delegation is not signed by root ${root.version} (${root.kid})`,
    );
  }
  const claims = parseJsonObject(jws.payload);
  if (
    !claims ||
    !isWholeNumber(claims.ver) ||
    !Array.isArray(claims.keys) ||
    claims.keys.length > MAX_DELEGATED_KEYS
  ) {
    return refuse('delegation-malformed', 'the delegation needs ver and at most 16 keys');
  }
  if (claims.iss !== issuer)
    return refuse(
      'delegation-wrong-issuer',
      `the delegation is for ${String(claims.iss)}, not ${issuer}`,
    );
  if (claims.ver < newestSeen)
    return refuse(
      'delegation-rollback',
      `delegation ${claims.ver} is older than delegation ${newestSeen} already seen`,
    );
  const keys: DelegatedKey[] = [];
  for (const key of claims.keys as Record<string, unknown>[]) {
    if (
      typeof key !== 'object' ||
      key === null ||
      !isEcPublicJwk(key.jwk) ||
      key.kid !== jwkThumbprint(key.jwk) ||
      !isWholeNumber(key.nbf) ||
      !isWholeNumber(key.exp)
    ) {
      return refuse(
        'delegation-malformed',
        'each delegated key needs kid (its thumbprint), a P-256 jwk, nbf and exp',
      );
    }
    keys.push({
      kid: key.kid,
      jwk: { kty: 'EC', crv: 'P-256', x: key.jwk.x, y: key.jwk.y },
      nbf: key.nbf,
      exp: key.exp,
    });
  }
  return { ver: claims.ver, keys };
}
