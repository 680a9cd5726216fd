import { calculateJwkThumbprint } from 'jose';
import { verifyEs256Jws } from './es256-jws-verification';
import {
  DELEGATION_TYP,
  ROOT_STATEMENT_TYP,
  type RootKey,
  type RootStatement,
  type SigningDelegation,
} from './trust-documents';
import type { TrustFile } from './trust-file';

export interface VersionedRoot extends RootKey {
  version: number;
}

export interface VerifiedTrust {
  file: TrustFile;
  /** Today's root: the end of the chain that starts at the root pinned at manufacture. */
  root: VersionedRoot;
  delegation: SigningDelegation;
}

/**
 * Checks a trust file the way a device will: every rotation statement signed by the root before
 * it, versions without gaps, and the delegation signed by the last root. Run at start and by the
 * CLI before it signs anything new, so a broken chain never reaches a device.
 */
export async function verifyTrust(file: TrustFile, issuer: string): Promise<VerifiedTrust> {
  if ((await calculateJwkThumbprint(file.firstRoot.jwk)) !== file.firstRoot.kid)
    throw new Error('firstRoot.kid is not the thumbprint of firstRoot.jwk');
  let root: VersionedRoot = { version: 1, ...file.firstRoot };
  for (const [index, statementJws] of file.rootChain.entries()) {
    const statement = await verifyEs256Jws<RootStatement>(
      statementJws,
      root,
      ROOT_STATEMENT_TYP,
      `root statement ${index + 1}`,
    );
    if (statement.iss !== issuer)
      throw new Error(`root statement ${index + 1}: iss is ${statement.iss}, expected ${issuer}`);
    if (statement.ver !== root.version + 1)
      throw new Error(
        `root statement ${index + 1}: introduces version ${statement.ver} after ${root.version}`,
      );
    if ((await calculateJwkThumbprint(statement.root.jwk)) !== statement.root.kid)
      throw new Error(`root statement ${index + 1}: kid is not the key's thumbprint`);
    root = { version: statement.ver, kid: statement.root.kid, jwk: statement.root.jwk };
  }
  const delegation = await verifyEs256Jws<SigningDelegation>(
    file.delegation,
    root,
    DELEGATION_TYP,
    'delegation',
  );
  if (delegation.iss !== issuer)
    throw new Error(`delegation: iss is ${delegation.iss}, expected ${issuer}`);
  for (const key of delegation.keys) {
    if ((await calculateJwkThumbprint(key.jwk)) !== key.kid)
      throw new Error(`delegation: kid ${key.kid} is not the key's thumbprint`);
    if (!(key.nbf < key.exp)) throw new Error(`delegation: key ${key.kid} has an empty window`);
  }
  return { file, root, delegation };
}
