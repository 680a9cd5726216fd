import type Database from 'better-sqlite3';

const HOUR_MS = 3_600_000;

/**
 * The hour of an audit row's instant (its epoch milliseconds, or its text when the service did not
 * write it: SQLite orders text after every number, so such an instant is in the last hour).
 */
export function hourOfInstant(column: bigint | string): number {
  return typeof column === 'string'
    ? Number.MAX_SAFE_INTEGER
    : Math.floor(Number(column) / HOUR_MS);
}

/** Positions to search for the events in a time range; `empty` when no event can be in it. */
export type PositionRange = { empty: true } | { empty: false; first?: bigint; last?: bigint };

/**
 * The first and last position of each hour's events (`audit_hours`). Instants follow positions
 * closely but not exactly (commands decided concurrently append in either order, instances' clocks
 * differ), so a time filter cannot be read as a position range directly; these bounds make it one
 * that surely holds every event of the range, and the filter itself then runs on the rows of that
 * range only.
 */
export class AuditHours {
  private readonly pending = new Map<number, { first: bigint; last: bigint }>();
  private readonly upsert;
  private readonly firstFrom;
  private readonly lastUntil;

  constructor(db: Database.Database) {
    this.upsert = db.prepare<[number, bigint, bigint]>(`
      INSERT INTO audit_hours (hour, first_position, last_position) VALUES (?, ?, ?)
      ON CONFLICT (hour) DO UPDATE SET
        first_position = min(first_position, excluded.first_position),
        last_position = max(last_position, excluded.last_position)`);
    // Positions as bigint, as the store gives them.
    this.firstFrom = db
      .prepare<[number], { position: bigint | null }>(
        'SELECT min(first_position) AS position FROM audit_hours WHERE hour >= ?',
      )
      .safeIntegers(true);
    this.lastUntil = db
      .prepare<[number], { position: bigint | null }>(
        'SELECT max(last_position) AS position FROM audit_hours WHERE hour <= ?',
      )
      .safeIntegers(true);
  }

  /** An event at `position` occurred in `hour`; written at the end of the batch (`flush`). */
  note(hour: number, position: bigint): void {
    const bounds = this.pending.get(hour);
    if (!bounds) this.pending.set(hour, { first: position, last: position });
    else {
      if (position < bounds.first) bounds.first = position;
      if (position > bounds.last) bounds.last = position;
    }
  }

  flush(): void {
    for (const [hour, { first, last }] of this.pending) this.upsert.run(hour, first, last);
    this.pending.clear();
  }

  forget(): void {
    this.pending.clear();
  }

  /** The positions holding every event with `fromMillis <= instant < toMillis` (either bound optional). */
  positionsBetween(fromMillis?: number, toMillis?: number): PositionRange {
    let first: bigint | undefined;
    let last: bigint | undefined;
    if (fromMillis !== undefined) {
      const found = this.firstFrom.get(Math.floor(fromMillis / HOUR_MS))?.position ?? null;
      if (found === null) return { empty: true };
      first = found;
    }
    if (toMillis !== undefined) {
      // An instant before `toMillis` is in its hour or an earlier one.
      const found = this.lastUntil.get(Math.floor(toMillis / HOUR_MS))?.position ?? null;
      if (found === null) return { empty: true };
      last = found;
    }
    return first !== undefined && last !== undefined && first > last
      ? { empty: true }
      : { empty: false, first, last };
  }
}
