import { verifyTrust } from './trust-chain';
import type { TrustFile } from './trust-file';

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** A trust file as an operator reads it: the chain verified, every key with its window. */
export async function describeTrust(trust: TrustFile, issuer: string, now: number) {
  const verified = await verifyTrust(trust, issuer);
  return {
    firstRoot: trust.firstRoot.kid,
    currentRoot: { version: verified.root.version, kid: verified.root.kid },
    delegation: {
      version: verified.delegation.ver,
      issuedAt: iso(verified.delegation.iat),
      keys: verified.delegation.keys.map((key) => ({
        kid: key.kid,
        from: iso(key.nbf),
        until: iso(key.exp),
        state: now < key.nbf ? 'not yet valid' : now >= key.exp ? 'retired' : 'valid',
      })),
    },
  };
}
