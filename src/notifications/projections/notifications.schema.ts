import type { ReadModelSchema } from '../../read-model/read-model-schema';

/**
 * The webhook endpoints as their events describe them: a projection like any other, emptied and
 * replayed on a rebuild. The positions bound which events an endpoint is matched against: those
 * after its registration and before its deletion.
 */
export const NOTIFICATIONS_SCHEMA: ReadModelSchema = {
  name: 'notifications',
  version: 1,
  tables: ['webhook_endpoints'],
  ddl: `
    CREATE TABLE IF NOT EXISTS webhook_endpoints (
      endpoint_id TEXT PRIMARY KEY,
      party_id TEXT NOT NULL,
      url TEXT NOT NULL,
      kinds TEXT NOT NULL,
      description TEXT,
      revoked_key_live_after_hours INTEGER NOT NULL,
      registered_position INTEGER NOT NULL,
      registered_at TEXT NOT NULL,
      deleted_position INTEGER,
      deleted_at TEXT
    );
    CREATE INDEX IF NOT EXISTS webhook_endpoints_by_party ON webhook_endpoints (party_id, endpoint_id);`,
};
