import Database from 'better-sqlite3';

export interface StoredCheckpoint {
  treeSize: number;
  root: Uint8Array;
  /** The three body lines, as signed. */
  text: string;
  /** The whole signed note: text, blank line, the log's signature line. */
  note: string;
  signedAt: string;
}

export interface StoredCosignature {
  witness: string;
  timestamp: bigint;
  line: string;
}

interface CheckpointRow {
  tree_size: number;
  root: Buffer;
  text: string;
  note: string;
  signed_at: string;
}

/**
 * Every checkpoint this log signed and the cosignatures witnesses sent for them, in their own file
 * (DATA_DIR/audit-log.db), durable like the events: they are the evidence the tamper check compares
 * the store against, so a read-model rebuild (which empties the read model) must not lose them.
 */
export class CheckpointStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(filename: string) {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS checkpoints (
        tree_size INTEGER PRIMARY KEY,
        root BLOB NOT NULL,
        text TEXT NOT NULL,
        note TEXT NOT NULL,
        signed_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS cosignatures (
        tree_size INTEGER NOT NULL REFERENCES checkpoints (tree_size),
        witness TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        line TEXT NOT NULL,
        PRIMARY KEY (tree_size, witness)
      );`);
    this.statements = {
      latest: this.db.prepare<[], CheckpointRow>(
        'SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1',
      ),
      bySize: this.db.prepare<[number], CheckpointRow>(
        'SELECT * FROM checkpoints WHERE tree_size = ?',
      ),
      after: this.db.prepare<[number, number], CheckpointRow>(
        'SELECT * FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT ?',
      ),
      insert: this.db.prepare(
        'INSERT INTO checkpoints (tree_size, root, text, note, signed_at) VALUES (?, ?, ?, ?, ?)',
      ),
      cosignatures: this.db
        .prepare<[number], { witness: string; timestamp: bigint; line: string }>(
          'SELECT witness, timestamp, line FROM cosignatures WHERE tree_size = ? ORDER BY witness',
        )
        .safeIntegers(true),
      // A witness's newer cosignature of the same checkpoint replaces its older one.
      upsertCosignature: this.db.prepare(`
        INSERT INTO cosignatures (tree_size, witness, timestamp, line) VALUES (?, ?, ?, ?)
        ON CONFLICT (tree_size, witness) DO UPDATE SET timestamp = excluded.timestamp, line = excluded.line
        WHERE excluded.timestamp > cosignatures.timestamp`),
    };
  }

  latest(): StoredCheckpoint | undefined {
    return toCheckpoint(this.statements.latest.get());
  }

  bySize(treeSize: number): StoredCheckpoint | undefined {
    return toCheckpoint(this.statements.bySize.get(treeSize));
  }

  /** Checkpoints by increasing size, a page at a time (the tamper check walks them all). */
  after(treeSize: number, limit: number): StoredCheckpoint[] {
    return this.statements.after.all(treeSize, limit).map((row) => toCheckpoint(row)!);
  }

  /** The newest checkpoint at least one of `witnesses` cosigned. */
  latestCosigned(witnesses: readonly string[]): StoredCheckpoint | undefined {
    if (witnesses.length === 0) return undefined;
    const row = this.db
      .prepare<string[], CheckpointRow>(
        `SELECT c.* FROM checkpoints c WHERE EXISTS (SELECT 1 FROM cosignatures s WHERE s.tree_size = c.tree_size AND s.witness IN (${witnesses.map(() => '?').join(', ')}))
         ORDER BY c.tree_size DESC LIMIT 1`,
      )
      .get(...witnesses);
    return toCheckpoint(row);
  }

  save(checkpoint: StoredCheckpoint): void {
    this.statements.insert.run(
      checkpoint.treeSize,
      checkpoint.root,
      checkpoint.text,
      checkpoint.note,
      checkpoint.signedAt,
    );
  }

  cosignaturesOf(treeSize: number): StoredCosignature[] {
    return this.statements.cosignatures.all(treeSize);
  }

  saveCosignature(treeSize: number, cosignature: StoredCosignature): void {
    this.statements.upsertCosignature.run(
      treeSize,
      cosignature.witness,
      cosignature.timestamp,
      cosignature.line,
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toCheckpoint(row: CheckpointRow | undefined): StoredCheckpoint | undefined {
  if (!row) return undefined;
  return {
    treeSize: row.tree_size,
    root: new Uint8Array(row.root),
    text: row.text,
    note: row.note,
    signedAt: row.signed_at,
  };
}
