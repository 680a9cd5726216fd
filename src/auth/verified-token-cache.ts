import { hash } from 'node:crypto';
import type { Actor } from '../shared/domain/actor';

export interface VerifiedTokenCacheOptions {
  /** How many verified tokens are remembered; the least recently used goes first. */
  maxEntries?: number;
  /**
   * The longest a verification is trusted again without checking the signature: a key removed
   * from the identity provider's JWKS stops being honoured at most this long after.
   */
  maxAgeMs?: number;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

interface Entry {
  actor: Actor;
  /** Until when (ms, exclusive) the verification stands: the token's exp, or sooner. */
  until: number;
}

export const DEFAULT_MAX_ENTRIES = 10_000;
export const DEFAULT_MAX_AGE_MS = 60_000;

/**
 * Bearer tokens that verified, by the SHA-256 of the token, so a caller sending the same token
 * again is not charged another ES256 verification. Only successes go in (a refused token is
 * checked again every time, so forged tokens cannot fill or poison it), and only a token the
 * identity provider signed can take a place. An entry stands until the token expires (jose
 * refuses it once `now >= exp`, and so does this cache) and never longer than `maxAgeMs`; the
 * map keeps insertion order, so the first key is always the least recently used one to evict.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  readonly now: () => number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  static keyOf(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The actor of a token verified before and still standing, as a fresh copy; else undefined. */
  get(key: string): Actor | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (this.now() >= entry.until) return undefined;
    this.entries.set(key, entry);
    return copy(entry.actor);
  }

  /** Remembers a verified token until `expSeconds` (its exp claim), capped at `maxAgeMs` from now. */
  set(key: string, actor: Actor, expSeconds: number): void {
    if (this.maxEntries <= 0 || this.maxAgeMs <= 0) return;
    const until = Math.min(expSeconds * 1000, this.now() + this.maxAgeMs);
    if (!(until > this.now())) return;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { actor: copy(actor), until });
  }
}

const copy = (actor: Actor): Actor => ({ ...actor, roles: [...actor.roles] });
