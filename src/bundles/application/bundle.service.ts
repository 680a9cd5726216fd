import { batteryNotFound } from '../../batteries/domain/access-policy';
import type {
  BatteryFacts,
  BatteryReadModel,
  BatteryRow,
} from '../../batteries/queries/battery-read-model';
import type { BundleSigner } from '../../signing/bundle-signer.port';
import { BUNDLE_TYP, bundleClaims } from '../domain/bundle-claims';
import { bundleEtag, bundleIssueTime } from '../domain/bundle-issue-time';
import type { SignedBundle, SignedBundleCache } from './signed-bundle-cache';
import { performance } from 'node:perf_hooks';
import { inSpan } from '../../tracing/spans';
import type { BundleSigningObserver } from './bundle-signing-observer';
import type { LeafIndexLookup } from '../../shared/infrastructure/leaf-index-lookup';

export interface BundleServiceOptions {
  issuer: string;
  ttlSeconds: number;
  now?: () => Date;
  /** Told of every signature (the metrics adapter, when metrics are on). */
  observer?: BundleSigningObserver;
  /** The audit log's leaves, for the bundle's `log` claim; without a log the claim is left out. */
  leaves?: LeafIndexLookup;
}

/** Which bundle is current for a battery, known without signing it. */
export interface BundleHead {
  serial: string;
  version: number;
  issuedAt: number;
  etag: string;
}

/**
 * Serves each battery its current signed bundle. Which bundle is current (its version and issue
 * time, hence its ETag) follows from a few read-model columns and the clock, so an unchanged pull
 * (304) reads those columns and nothing else; a bundle is signed only when a device needs its
 * body, once per version and half lifetime, and served from the cache after that.
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

  /** The current bundle's version, issue time and ETag. */
  head(battery: Pick<BatteryFacts, 'serial' | 'bundleVersion' | 'bundleVersionSince'>): BundleHead {
    const issuedAt = bundleIssueTime(
      battery.bundleVersionSince,
      this.now(),
      this.options.ttlSeconds,
    );
    return {
      serial: battery.serial,
      version: battery.bundleVersion,
      issuedAt,
      etag: bundleEtag(battery.bundleVersion, issuedAt),
    };
  }

  /** The facts of a battery whose caller is already authenticated for it, read again now. */
  currentFacts(serial: string): BatteryFacts {
    const facts = this.batteries.facts(serial);
    if (!facts) throw batteryNotFound(serial);
    return facts;
  }

  /** The head of a battery whose caller is already authenticated for it (a device on a long poll). */
  currentHead(serial: string): BundleHead {
    return this.head(this.currentFacts(serial));
  }

  /** The current signed bundle of a battery the caller already read and authorised. */
  bundleFor(
    battery: Pick<BatteryFacts, 'serial' | 'bundleVersion' | 'bundleVersionSince'>,
  ): Promise<SignedBundle> {
    const head = this.head(battery);
    const cached = this.cache.get(battery.serial);
    if (cached && cached.version === head.version && cached.issuedAt === head.issuedAt) {
      return Promise.resolve(cached);
    }
    return this.signOnce(head);
  }

  /** Concurrent pulls of a changed battery share one signature. */
  private signOnce(head: BundleHead): Promise<SignedBundle> {
    const key = `${head.serial}@${head.etag}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const signing = this.sign(head).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, signing);
    return signing;
  }

  private async sign(head: BundleHead): Promise<SignedBundle> {
    const battery: BatteryRow | undefined = this.batteries.get(head.serial);
    if (!battery) throw batteryNotFound(head.serial);
    // The state may have moved on since the head was read: sign what it is now.
    const current = battery.bundleVersion === head.version ? head : this.head(battery.state);
    // The log projection commits in the same transaction as the battery's row, so the event that
    // made this version is already a leaf; the pointer is the same on every instance.
    const leafIndex = this.options.leaves?.leafIndexAtOrBefore(battery.bundleVersionPosition);
    const claims = bundleClaims(battery.state, {
      issuer: this.options.issuer,
      now: new Date(current.issuedAt * 1000),
      ttlSeconds: this.options.ttlSeconds,
      ...(leafIndex !== undefined ? { log: { leafIndex } } : {}),
    });
    const attributes = { 'bundle.serial': battery.serial, 'bundle.version': claims.ver };
    const jws = await inSpan('bundle sign', { attributes }, async () => {
      const started = performance.now();
      const signed = await this.signer.sign(claims, BUNDLE_TYP);
      this.options.observer?.bundleSigned((performance.now() - started) / 1000);
      return signed;
    });
    const bundle: SignedBundle = {
      serial: battery.serial,
      version: claims.ver,
      jws,
      etag: bundleEtag(claims.ver, claims.iat),
      issuedAt: claims.iat,
    };
    this.cache.set(bundle);
    return bundle;
  }
}

export const BUNDLE_SERVICE = Symbol('BundleService');
