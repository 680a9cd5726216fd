import type { ReadModelSchema } from '../../read-model/read-model-schema';

/**
 * The revoked-key indexes follow the order of GET /v1/fleet/exposure (revocation time, then serial
 * and key id), for the whole fleet and for one holder key. Indexes only: the tables and
 * their meaning are unchanged, so the version stays and an existing read model gains them at start
 * (the ddl runs on every start; the by-kid index of the old serial order is dropped).
 * Version 2: the per-battery tables keep their rows in primary-key order without a rowid, so no
 * second copy of the key is kept as an index.
 * Version 3: instants as epoch milliseconds and a holder key's thumbprint as its 32 bytes
 * (shared/infrastructure/compact-columns.ts); the queries compare and give back their text. An
 * instant the service did not write with `toISOString` would stay text, which SQLite orders after
 * every number: such a key never counts as past its `notAfter` (unknown is not safe).
 * Version 4: a key's `kid` is recorded when it is revoked (KeyRevoked names its thumbprint): only
 * revoked keys are ever asked for by kid or answered with it, and a live key's 32 bytes were a
 * third of its row.
 */
export const DEVICE_SYNC_SCHEMA: ReadModelSchema = {
  name: 'device-sync',
  version: 4,
  tables: ['device_sync', 'device_bundle_versions', 'device_bundle_keys'],
  ddl: `
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
      since NOT NULL,
      PRIMARY KEY (serial, version)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS device_bundle_keys (
      serial TEXT NOT NULL,
      key_id TEXT NOT NULL,
      -- The holder key's thumbprint, from the revocation on (null while the key is live).
      kid,
      first_version INTEGER NOT NULL,
      revoked_in_version INTEGER,
      revoked_at,
      not_after NOT NULL,
      PRIMARY KEY (serial, key_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS device_bundle_keys_revoked ON device_bundle_keys (serial, key_id) WHERE revoked_in_version IS NOT NULL;
    CREATE INDEX IF NOT EXISTS device_bundle_keys_revoked_by_time ON device_bundle_keys (revoked_at, serial, key_id) WHERE revoked_in_version IS NOT NULL;
    DROP INDEX IF EXISTS device_bundle_keys_revoked_by_kid;
    CREATE INDEX IF NOT EXISTS device_bundle_keys_revoked_by_kid_time ON device_bundle_keys (kid, revoked_at, serial, key_id) WHERE revoked_in_version IS NOT NULL;`,
};
