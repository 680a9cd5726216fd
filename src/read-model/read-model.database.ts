import Database from 'better-sqlite3';

/**
 * Bumped whenever a projection's tables or meaning change: a read model of another version is
 * dropped and rebuilt from the event store at start, so no migration code is ever needed.
 */
export const READ_MODEL_VERSION = 6;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_model_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS parties (
    party_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, registered_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS batteries (
    serial TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    operator_id TEXT,
    manufacturer_id TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    bundle_version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    device_thumbprint TEXT NOT NULL,
    state TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS batteries_by_owner ON batteries (owner_id, serial);
  CREATE INDEX IF NOT EXISTS batteries_by_device_key ON batteries (device_thumbprint);
  CREATE INDEX IF NOT EXISTS batteries_by_operator ON batteries (operator_id, serial);
  CREATE TABLE IF NOT EXISTS open_proposals (
    serial TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    expires_at TEXT,
    proposal TEXT NOT NULL,
    PRIMARY KEY (serial, proposal_id)
  );
  CREATE TABLE IF NOT EXISTS audit (
    position INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    revision INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    actor_person TEXT NOT NULL,
    actor_party TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    reason TEXT,
    request_id TEXT NOT NULL,
    policy_version INTEGER
  );
  CREATE INDEX IF NOT EXISTS audit_by_stream ON audit (stream_id, position);
  CREATE INDEX IF NOT EXISTS audit_by_party ON audit (actor_party, occurred_at, position);
  CREATE INDEX IF NOT EXISTS audit_by_person ON audit (actor_person, occurred_at, position);
  CREATE TABLE IF NOT EXISTS idempotency (
    actor_party TEXT NOT NULL,
    actor_person TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    first_revision INTEGER NOT NULL,
    last_revision INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (actor_party, actor_person, key)
  );
  CREATE TABLE IF NOT EXISTS device_sync (
    serial TEXT PRIMARY KEY,
    bundle_version INTEGER NOT NULL,
    applied_version INTEGER,
    applied_iat INTEGER,
    applied_at TEXT
  );
  CREATE INDEX IF NOT EXISTS device_sync_lagging ON device_sync (serial) WHERE applied_version IS NULL OR applied_version < bundle_version;
  CREATE TABLE IF NOT EXISTS device_bundle_versions (
    serial TEXT NOT NULL,
    version INTEGER NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (serial, version)
  );
  CREATE TABLE IF NOT EXISTS device_bundle_keys (
    serial TEXT NOT NULL,
    key_id TEXT NOT NULL,
    kid TEXT NOT NULL,
    first_version INTEGER NOT NULL,
    revoked_in_version INTEGER,
    revoked_at TEXT,
    not_after TEXT NOT NULL,
    PRIMARY KEY (serial, key_id)
  );
  CREATE INDEX IF NOT EXISTS device_bundle_keys_revoked ON device_bundle_keys (serial, key_id) WHERE revoked_in_version IS NOT NULL;
  CREATE INDEX IF NOT EXISTS device_bundle_keys_revoked_by_kid ON device_bundle_keys (kid, serial, key_id) WHERE revoked_in_version IS NOT NULL;
`;

const TABLES = [
  'checkpoint',
  'parties',
  'batteries',
  'open_proposals',
  'audit',
  'idempotency',
  'device_sync',
  'device_bundle_versions',
  'device_bundle_keys',
];

/**
 * The local read model: one SQLite file per service instance, rebuildable from the event store at
 * any time. Projections and the checkpoint are written in one transaction, so an event is
 * applied exactly once whatever crashes.
 */
export function openReadModelDatabase(filename: string): Database.Database {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  // Losing the last transactions on power loss is harmless here: the checkpoint goes back with
  // them and the events are read again from the store.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const stored = db
    .prepare<[], { value: string }>("SELECT value FROM read_model_meta WHERE key = 'version'")
    .get();
  if (stored?.value !== String(READ_MODEL_VERSION)) {
    clearReadModel(db);
    db.prepare("INSERT OR REPLACE INTO read_model_meta (key, value) VALUES ('version', ?)").run(
      String(READ_MODEL_VERSION),
    );
  }
  return db;
}

/** Empties every projection and the checkpoint, so the runner replays the store from the start. */
export function clearReadModel(db: Database.Database): void {
  db.transaction(() => {
    for (const table of TABLES) db.exec(`DELETE FROM ${table}`);
  })();
}

export const READ_MODEL_DB = Symbol('ReadModelDatabase');
