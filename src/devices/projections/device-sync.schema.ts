import type { ReadModelSchema } from '../../read-model/read-model-schema';

export const DEVICE_SYNC_SCHEMA: ReadModelSchema = {
  name: 'device-sync',
  version: 1,
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
    CREATE INDEX IF NOT EXISTS device_bundle_keys_revoked_by_kid ON device_bundle_keys (kid, serial, key_id) WHERE revoked_in_version IS NOT NULL;`,
};
