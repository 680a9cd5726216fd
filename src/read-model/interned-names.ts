import type Database from 'better-sqlite3';

/** Names kept in memory (twice as many at most): the few that recur, and the ones written last. */
const REMEMBERED = 8192;

/** In a statement: the name of the number in `column`, or NULL. */
export function nameOfNumber(table: string, column: string): string {
  return `(SELECT name FROM ${table} WHERE id = ${column})`;
}

/** In a statement: the number of the name in `@parameter`, or NULL for a name never numbered. */
export function numberOfName(table: string, parameter: string): string {
  return `(SELECT id FROM ${table} WHERE name = @${parameter})`;
}

/**
 * Names stored once, as the numbers of a `(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`
 * table: ids that recur in millions of rows (people, parties, streams) cost a byte or three each,
 * in the rows and again in every index over them. Readers turn a number back into its name, or a
 * name into its number, in their statement (`nameOfNumber`, `numberOfName`).
 *
 * Numbers are given inside the projection's transaction; those of a batch that rolls back are
 * forgotten with it (`forget`), so a remembered number is always one the table holds.
 */
export class InternedNames {
  // Two generations instead of a least-recently-used list: a name used in the last `remembered`
  // lookups is found without SQLite, and a lookup never reorders a Map (whose deleted entries
  // cost every later walk of its keys).
  private recent = new Map<string, number>();
  private older = new Map<string, number>();
  private readonly find;
  private readonly add;

  constructor(
    db: Database.Database,
    table: string,
    private readonly remembered = REMEMBERED,
  ) {
    this.find = db.prepare<[string], { id: number }>(`SELECT id FROM ${table} WHERE name = ?`);
    this.add = db.prepare<[string]>(`INSERT INTO ${table} (name) VALUES (?)`);
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
