export interface SignedBundle {
  serial: string;
  version: number;
  jws: string;
  etag: string;
  /** Epoch seconds; a new one every half lifetime (bundle-issue-time.ts), same version. */
  issuedAt: number;
}

/**
 * Signed bundles by serial, least recently used first out. A bundle is signed once per state
 * change (and again at half its lifetime) and served from here on every other pull.
 */
export class SignedBundleCache {
  private readonly entries = new Map<string, SignedBundle>();

  constructor(private readonly maxEntries: number) {}

  get(serial: string): SignedBundle | undefined {
    const entry = this.entries.get(serial);
    if (entry) {
      // Re-inserting moves the entry to the end of the Map's order: most recently used.
      this.entries.delete(serial);
      this.entries.set(serial, entry);
    }
    return entry;
  }

  set(bundle: SignedBundle): void {
    this.entries.delete(bundle.serial);
    this.entries.set(bundle.serial, bundle);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
