import type Database from 'better-sqlite3';

/** Names kept in memory (twice as many at most): every person and party, and the streams written to last. */
const REMEMBERED = 8192;

/**
 * The audit rows' stream, person and party ids as numbers of `audit_names`: a name is stored once
 * however many events carry it. Numbers are given inside the projection's transaction; those of a
 * batch that rolls back are forgotten with it (`forget`), so a remembered number is always one the
 * table holds.
 */
export class AuditNames {
  // Two generations instead of a least-recently-used list: a name used in the last REMEMBERED
  // lookups is found without SQLite, and a lookup never reorders a Map (whose deleted entries
  // cost every later walk of its keys).
  private recent = new Map<string, number>();
  private older = new Map<string, number>();
  private readonly find;
  private readonly add;

  constructor(
    db: Database.Database,
    private readonly remembered = REMEMBERED,
  ) {
    this.find = db.prepare<[string], { id: number }>('SELECT id FROM audit_names WHERE name = ?');
    this.add = db.prepare<[string]>('INSERT INTO audit_names (name) VALUES (?)');
  }

  numberOf(name: string): number {
    const recent = this.recent.get(name);
    if (recent !== undefined) return recent;
    const id =
      this.older.get(name) ?? this.find.get(name)?.id ?? Number(this.add.run(name).lastInsertRowid);
    if (this.recent.size >= this.remembered) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(name, id);
    return id;
  }

  forget(): void {
    this.recent.clear();
    this.older.clear();
  }
}
