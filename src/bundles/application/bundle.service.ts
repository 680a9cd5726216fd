import { batteryNotFound } from '../../batteries/domain/access-policy';
import type { BatteryReadModel, BatteryRow } from '../../batteries/queries/battery-read-model';
import type { BundleSigner } from '../../signing/bundle-signer.port';
import { BUNDLE_TYP, bundleClaims } from '../domain/bundle-claims';
import type { SignedBundle, SignedBundleCache } from './signed-bundle-cache';

export interface BundleServiceOptions {
  issuer: string;
  ttlSeconds: number;
  now?: () => Date;
}

/**
 * Serves each battery its current signed bundle. The hot path is a read-model lookup and a cache
 * hit; signing happens only when the bundle version moved or the cached bundle is half expired.
 */
export class BundleService {
  private readonly inFlight = new Map<string, Promise<SignedBundle>>();
  private readonly now: () => Date;

  constructor(
    private readonly batteries: BatteryReadModel,
    private readonly signer: BundleSigner,
    private readonly cache: SignedBundleCache,
    private readonly options: BundleServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The current signed bundle of a battery whose caller is already authenticated for it (the
   * device itself, waiting on a long poll): re-read, since the state moved since the request began.
   */
  async currentOf(serial: string): Promise<SignedBundle> {
    const battery = this.batteries.get(serial);
    if (!battery) throw batteryNotFound(serial);
    return this.bundleFor(battery);
  }

  /** The current signed bundle of a battery row the caller already read and authorised. */
  bundleFor(battery: BatteryRow): Promise<SignedBundle> {
    const cached = this.cache.get(battery.serial);
    if (
      cached &&
      cached.version === battery.bundleVersion &&
      this.now().getTime() < cached.refreshAfter
    )
      return Promise.resolve(cached);
    return this.signOnce(battery);
  }

  /** Concurrent pulls of a changed battery share one signature. */
  private signOnce(battery: BatteryRow): Promise<SignedBundle> {
    const key = `${battery.serial}@${battery.bundleVersion}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const signing = this.sign(battery).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, signing);
    return signing;
  }

  private async sign(battery: BatteryRow): Promise<SignedBundle> {
    const claims = bundleClaims(battery.state, {
      issuer: this.options.issuer,
      now: this.now(),
      ttlSeconds: this.options.ttlSeconds,
    });
    const jws = await this.signer.sign(claims, BUNDLE_TYP);
    const bundle: SignedBundle = {
      serial: battery.serial,
      version: claims.ver,
      jws,
      etag: `"${claims.ver}.${claims.iat}"`,
      issuedAt: claims.iat,
      refreshAfter: (claims.iat + this.options.ttlSeconds / 2) * 1000,
    };
    this.cache.set(bundle);
    return bundle;
  }
}

export const BUNDLE_SERVICE = Symbol('BundleService');
