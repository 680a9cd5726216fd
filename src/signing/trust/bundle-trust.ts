import type { JWK } from 'jose';
import type { DelegatedKey } from './trust-documents';
import type { TrustFile } from './trust-file';
import { verifyTrust, type VerifiedTrust, type VersionedRoot } from './trust-chain';

/** Warn this long before the active key's window closes: renewing needs the offline root. */
const RENEWAL_WARNING_SECONDS = 30 * 86_400;

/**
 * The verified chain of trust the service runs with: served next to every bundle, and the source
 * of the JWKS. Loaded once at start; a rotation is a new trust file and a restart.
 */
export class BundleTrust {
  private constructor(private readonly verified: VerifiedTrust) {}

  static async load(file: TrustFile, issuer: string): Promise<BundleTrust> {
    return new BundleTrust(await verifyTrust(file, issuer));
  }

  get root(): VersionedRoot {
    return this.verified.root;
  }

  get rootChain(): readonly string[] {
    return this.verified.file.rootChain;
  }

  get delegation(): string {
    return this.verified.file.delegation;
  }

  get delegationVersion(): number {
    return this.verified.delegation.ver;
  }

  get file(): TrustFile {
    return this.verified.file;
  }

  /** The delegated keys a device would accept a bundle from at `now` (epoch seconds). */
  keysValidAt(now: number): DelegatedKey[] {
    return this.verified.delegation.keys.filter((key) => key.nbf <= now && now < key.exp);
  }

  /** JWKS entries of the keys valid now, for clients that verify bundles without the chain. */
  publicJwks(now: number): JWK[] {
    return this.keysValidAt(now).map((key) => ({
      ...key.jwk,
      kid: key.kid,
      alg: 'ES256',
      use: 'sig',
    }));
  }

  /**
   * The service refuses to start with a key devices would refuse: a bundle signed outside the
   * delegation would put the whole fleet into its safe state at the next pull.
   */
  assertDelegates(kid: string, now: number): { warnings: string[] } {
    const key = this.verified.delegation.keys.find((candidate) => candidate.kid === kid);
    if (!key)
      throw new Error(
        `The bundle signing key ${kid} is not named in the delegation (version ${this.delegationVersion}); run npm run bundle-trust -- rotate-online-key`,
      );
    if (now < key.nbf || now >= key.exp) {
      throw new Error(
        `The bundle signing key ${kid} is delegated for ${iso(key.nbf)} – ${iso(key.exp)}, not now; renew the delegation (npm run bundle-trust -- delegate)`,
      );
    }
    const warnings =
      key.exp - now < RENEWAL_WARNING_SECONDS
        ? [
            `The bundle signing key's delegation ends ${iso(key.exp)}: renew it with the root key before then`,
          ]
        : [];
    return { warnings };
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export const BUNDLE_TRUST = Symbol('BundleTrust');
