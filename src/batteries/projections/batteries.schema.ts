import type { ReadModelSchema } from '../../read-model/read-model-schema';

/**
 * The battery's own state, folded with the decider's `evolve`, and what waits for approval on it.
 * The facts a bundle pull needs (relationships, device key, bundle version and since when) are
 * columns too, so the hottest path reads a few fields and parses no state document.
 * Version 6: the device key and its thumbprint as their bytes, and the state document deflated
 * against the vocabulary of battery states (battery-state-column.ts; compact-columns.ts); a key's
 * capabilities as one-byte codes and its thumbprint left out when it is its Ed25519 key's own
 * (battery-key-rows.ts). Each gives back exactly its text.
 * Version 7: the revoked key ids and thumbprints as rows (battery-revocation-rows.ts): a battery
 * with a thousand revocations changes one row per revocation, not a state document of 85 KB.
 * Version 8: a key issued at its `notBefore` (the default) keeps no second copy of that instant.
 * Version 9: a key's holder (person and party) and its authority's party are numbers of
 * `battery_names` (InternedNames): a fleet's keys name a few thousand people and parties, each
 * millions of times. Its relationship is not kept: a key under a lease is the operator's.
 * Version 10: the state document leaves the bundle version and since when to their columns, so a
 * key issued or revoked rewrites a few columns of the row, not its document (battery-state-column.ts).
 */
export const BATTERIES_SCHEMA: ReadModelSchema = {
  name: 'batteries',
  version: 10,
  tables: ['batteries', 'battery_keys', 'battery_revocations', 'open_proposals', 'battery_names'],
  ddl: `
    CREATE TABLE IF NOT EXISTS batteries (
      serial TEXT PRIMARY KEY,
      owner_id TEXT NOT NULL,
      operator_id TEXT,
      manufacturer_id TEXT NOT NULL,
      specialist_id TEXT,
      status TEXT NOT NULL,
      revision INTEGER NOT NULL,
      bundle_version INTEGER NOT NULL,
      bundle_version_since TEXT NOT NULL,
      -- Store position of the event that made the current bundle version: the audit-log leaf a
      -- bundle names (its log claim), the same on every instance and after every restart.
      bundle_version_position INTEGER NOT NULL,
      position INTEGER NOT NULL,
      device_thumbprint NOT NULL,
      device_jwk NOT NULL,
      state NOT NULL
    );
    CREATE INDEX IF NOT EXISTS batteries_by_owner ON batteries (owner_id, serial);
    CREATE INDEX IF NOT EXISTS batteries_by_device_key ON batteries (device_thumbprint);
    CREATE INDEX IF NOT EXISTS batteries_by_operator ON batteries (operator_id, serial);
    -- The state's keys, one row each (BatteryKeyRows): a battery with thousands of keys changes
    -- one row per key issued or revoked, not its whole state document. Without a rowid, the rows
    -- of one battery sit together in the primary key's order and no second index is kept.
    CREATE TABLE IF NOT EXISTS battery_keys (
      serial TEXT NOT NULL,
      key_id TEXT NOT NULL,
      -- Store position of the KeyIssued event: the battery's keys in issue order.
      issued_position INTEGER NOT NULL,
      -- Numbers of battery_names.
      holder_person INTEGER,
      holder_party INTEGER,
      jwk TEXT,
      thumbprint TEXT,
      capabilities TEXT,
      not_before,
      not_after,
      issued_at,
      authority_party INTEGER,
      lease_id TEXT,
      document TEXT,
      PRIMARY KEY (serial, key_id)
    ) WITHOUT ROWID;
    -- The state's revoked key ids and thumbprints, one row per revocation in the order they were
    -- revoked (BatteryRevocationRows): lists that only grow, so a revocation adds a row.
    CREATE TABLE IF NOT EXISTS battery_revocations (
      serial TEXT NOT NULL,
      seq INTEGER NOT NULL,
      key_id TEXT NOT NULL,
      thumbprint NOT NULL,
      PRIMARY KEY (serial, seq)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS battery_names (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS open_proposals (
      serial TEXT NOT NULL,
      proposal_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      expires_at TEXT,
      proposal TEXT NOT NULL,
      PRIMARY KEY (serial, proposal_id)
    );`,
};
