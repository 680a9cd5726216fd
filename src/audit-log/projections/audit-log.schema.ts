import type { ReadModelSchema } from '../../read-model/read-model-schema';

/**
 * The tree, kept so that any proof needs O(log n) reads and an event costs ~100 bytes or less:
 * - one row per leaf (its hash and the store position of its event), keyed by leaf index, so
 *   rows are appended in key order and pages fill up;
 * - the perfect subtrees of 2^4 leaves and more, keyed by one integer that grows as they complete
 *   (see nodeKey); smaller subtrees are re-hashed from at most 8 adjacent leaves, read in one range;
 * - event id (16 bytes for a UUID) → leaf index, for callers that name an event.
 */
export const AUDIT_LOG_SCHEMA: ReadModelSchema = {
  name: 'audit-log',
  version: 1,
  tables: ['audit_log_leaves', 'audit_log_nodes', 'audit_log_event_leaves'],
  ddl: `
    CREATE TABLE IF NOT EXISTS audit_log_leaves (
      leaf_index INTEGER PRIMARY KEY,
      leaf_hash BLOB NOT NULL,
      position INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS audit_log_nodes (
      id INTEGER PRIMARY KEY,
      hash BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS audit_log_event_leaves (
      event_id BLOB PRIMARY KEY,
      leaf_index INTEGER NOT NULL
    ) WITHOUT ROWID;`,
};
