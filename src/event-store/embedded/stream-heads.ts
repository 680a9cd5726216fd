import type Database from 'better-sqlite3';

/**
 * How far each stream lately read or appended goes, as far as this connection knows: a bound no
 * revision of the stream passes. A read that starts past the bound has nothing to find, so it
 * needs no query: a command loading the stream it appended to a moment ago, or the policy, which
 * rarely changes, costs a Map lookup instead of a SQLite query. A commit by any other connection
 * (another process on the same file) moves SQLite's `data_version`, and every bound is forgotten.
 */
export class StreamHeads {
  private readonly bounds = new Map<string, number>();
  private readonly dataVersion: Database.Statement<[], number>;
  private seenVersion: number;

  constructor(
    db: Database.Database,
    private readonly maxEntries: number,
  ) {
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.seenVersion = this.dataVersion.get() as number;
  }

  /**
   * True when the stream surely has no revision at or after `fromRevision`. Call it before the
   * query it may save, so that a commit by another connection after this check is seen by the next.
   */
  nothingFrom(streamId: string, fromRevision: number): boolean {
    const version = this.dataVersion.get() as number;
    if (version !== this.seenVersion) {
      this.bounds.clear();
      this.seenVersion = version;
      return false;
    }
    const bound = this.bounds.get(streamId);
    return bound !== undefined && fromRevision > bound;
  }

  /**
   * The stream has nothing after `revision`: a read ended there (its last row, or the one before
   * where it began), or this connection committed an append that ended the stream there.
   */
  remember(streamId: string, revision: number): void {
    this.bounds.delete(streamId);
    this.bounds.set(streamId, revision);
    if (this.bounds.size > this.maxEntries) {
      this.bounds.delete(this.bounds.keys().next().value as string);
    }
  }
}
