import type Database from 'better-sqlite3';
import type { RelationshipFacts } from '../../policy/domain/relationship';
import type { PublicKey } from '../../shared/domain/public-key';

/**
 * What a bundle pull needs of a battery, read from columns without parsing its state: who may
 * read it, its device key, and which bundle version is current since when.
 */
export interface BatteryFacts extends RelationshipFacts {
  serial: string;
  ownerId: string;
  operatorId: string | null;
  manufacturerId: string;
  specialistId: string | null;
  bundleVersion: number;
  bundleVersionSince: string;
  deviceKey: PublicKey;
}

/** Batteries whose pull facts stay in memory; an entry is ~1 KiB, so 100,000 hold ~100 MiB at most. */
export const BATTERY_FACTS_CACHE_ENTRIES = 100_000;

/**
 * The facts a pull needs (who may read the battery, its device key, its bundle version), kept in
 * memory per read-model database so an unchanged pull (304) touches neither SQLite nor JSON.
 *
 * Correct because the read model has one writer in this process: the batteries projection evicts
 * every battery a batch touched once the batch has committed, and forgets everything when a batch
 * rolls back or the read model is emptied. Reads and those evictions all run synchronously on the
 * one thread (better-sqlite3), so no read can put back a row older than the last eviction.
 */
export class BatteryFactsCache {
  private static readonly byDatabase = new WeakMap<Database.Database, BatteryFactsCache>();
  private readonly entries = new Map<string, BatteryFacts>();

  constructor(private readonly capacity = BATTERY_FACTS_CACHE_ENTRIES) {}

  /** The one cache of this read-model database, shared by its projection and its queries. */
  static of(db: Database.Database): BatteryFactsCache {
    let cache = BatteryFactsCache.byDatabase.get(db);
    if (!cache) {
      cache = new BatteryFactsCache();
      BatteryFactsCache.byDatabase.set(db, cache);
    }
    return cache;
  }

  get(serial: string): BatteryFacts | undefined {
    return this.entries.get(serial);
  }

  set(facts: BatteryFacts): void {
    // Insertion order is the eviction order: a full cache drops the battery cached longest ago.
    if (this.entries.size >= this.capacity && !this.entries.has(facts.serial)) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(facts.serial, facts);
  }

  evict(serial: string): void {
    this.entries.delete(serial);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
