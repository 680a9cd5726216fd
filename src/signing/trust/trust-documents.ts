import type { JWK } from 'jose';

/**
 * The two statements between the root key devices pin at manufacture and the online keys that
 * sign bundles (after The Update Framework's root and delegated roles). See docs/key-bundle.md.
 */

/** JWS `typ` of the root's statement naming the online bundle-signing keys. */
export const DELEGATION_TYP = 'battery-signing-delegation+jwt';
/** JWS `typ` of a root rotation statement: the next root, signed by the current one. */
export const ROOT_STATEMENT_TYP = 'battery-root+jwt';

/** An online key devices accept bundles from while `nbf ≤ now < exp`. */
export interface DelegatedKey {
  kid: string;
  jwk: JWK;
  nbf: number;
  exp: number;
}

export interface SigningDelegation {
  iss: string;
  iat: number;
  /** Grows with every new delegation; a device refuses one older than the newest it has seen. */
  ver: number;
  keys: DelegatedKey[];
}

export interface RootKey {
  kid: string;
  jwk: JWK;
}

export interface RootStatement {
  iss: string;
  iat: number;
  /** The version of the root it introduces; the root pinned at manufacture is version 1. */
  ver: number;
  root: RootKey;
}
