import { hash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Capability } from '../../policy/domain/capability-catalogue';
import type { KeyAuthority } from '../../policy/domain/key-authority';
import type { ActiveKey } from '../domain/battery-state';
import {
  base64url32Column,
  base64urlOfColumn,
  instantColumn,
  instantOfColumn,
  jwkColumn,
  jwkOfColumn,
} from '../../shared/infrastructure/compact-columns';
import { InternedNames, nameOfNumber } from '../../read-model/interned-names';

/**
 * One row of `battery_keys` as read: the key's fields as columns, its instants as epoch
 * milliseconds, its names (stored as numbers of `battery_names`) as text.
 */
interface KeyRow {
  key_id: string;
  holder_person: string | null;
  holder_party: string | null;
  jwk: Uint8Array | string | null;
  /** Null when it is the RFC 7638 thumbprint of the Ed25519 key in `jwk` (computed on read). */
  thumbprint: Uint8Array | string | null;
  capabilities: Uint8Array | string | null;
  not_before: number | bigint | string | null;
  not_after: number | bigint | string | null;
  /** Null when the key was issued at its `notBefore` (the default, so most keys). */
  issued_at: number | bigint | string | null;
  authority_party: string | null;
  /** Set for an operator's key (its lease), null for an owner's. */
  lease_id: string | null;
  /** The whole key as JSON, only for a key the columns would not give back exactly. */
  document: string | null;
}

type KeyColumns = Omit<KeyRow, 'key_id'>;

/** `battery_keys`' columns in the insert's order, names as their numbers. */
type InsertParameters = [
  serial: string,
  keyId: string,
  issuedPosition: bigint,
  holderPerson: number | null,
  holderParty: number | null,
  jwk: KeyColumns['jwk'],
  thumbprint: KeyColumns['thumbprint'],
  capabilities: KeyColumns['capabilities'],
  notBefore: KeyColumns['not_before'],
  notAfter: KeyColumns['not_after'],
  issuedAt: KeyColumns['issued_at'],
  authorityParty: number | null,
  leaseId: string | null,
  document: string | null,
];

/**
 * The keys of each battery, one row per key, in issue order. A battery of the fleet holds about
 * ten keys and the key JSON repeats its field names in every row, so the columns keep only the
 * values, an Ed25519 key and a thumbprint as their bytes: under half the bytes per key, and the
 * keys were most of the read model. The encoding is
 * checked key by key: a key the columns would not give back byte for byte (a field they do not
 * know, an instant not written by `toISOString`) is kept whole as JSON instead.
 */
export class BatteryKeyRows {
  private readonly keysOf;
  private readonly insert;
  private readonly remove;
  private readonly names: InternedNames;

  constructor(db: Database.Database, options: { rememberedNames?: number } = {}) {
    this.names = new InternedNames(db, 'battery_names', options.rememberedNames);
    this.keysOf = db.prepare<[string], KeyRow>(
      `SELECT key_id, ${NAME_OF('holder_person')}, ${NAME_OF('holder_party')}, jwk, thumbprint,
              capabilities, not_before, not_after, issued_at, ${NAME_OF('authority_party')}, lease_id, document
         FROM battery_keys WHERE serial = ? ORDER BY issued_position`,
    );
    // Positional parameters: binding by name looks each one up, and a fleet's catch-up inserts ten rows per battery.
    this.insert = db.prepare<InsertParameters>(
      `INSERT INTO battery_keys (serial, key_id, issued_position, holder_person, holder_party, jwk, thumbprint,
         capabilities, not_before, not_after, issued_at, authority_party, lease_id, document)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.remove = db.prepare('DELETE FROM battery_keys WHERE serial = ? AND key_id = ?');
  }

  /** The battery's keys in the order they were issued. */
  of(serial: string): ActiveKey[] {
    return this.keysOf.all(serial).map(keyOfRow);
  }

  /** Records a key issued by the event at `issuedPosition` (which orders the battery's keys). */
  add(serial: string, issuedPosition: bigint, key: ActiveKey): void {
    const columns = columnsOf(key);
    this.insert.run(
      serial,
      key.keyId,
      issuedPosition,
      this.numberOf(columns.holder_person),
      this.numberOf(columns.holder_party),
      columns.jwk,
      columns.thumbprint,
      columns.capabilities,
      columns.not_before,
      columns.not_after,
      columns.issued_at,
      this.numberOf(columns.authority_party),
      columns.lease_id,
      columns.document,
    );
  }

  delete(serial: string, keyId: string): void {
    this.remove.run(serial, keyId);
  }

  /**
   * Numbers the names a newly issued key carries, as its event is applied: in event order, so the
   * numbers are the same however the events were batched (a key issued and revoked in one batch
   * never gets a row), and a caught-up read model equals a rebuilt one, row for row.
   */
  numberNamesOf(key: Pick<ActiveKey, 'holder' | 'authority'>): void {
    for (const name of [key.holder?.personId, key.holder?.partyId, key.authority?.partyId])
      if (typeof name === 'string') this.names.numberOf(name);
  }

  /** The batch that added rows rolled back, or the read model was emptied. */
  forget(): void {
    this.names.forget();
  }

  private numberOf(name: string | null): number | null {
    return name === null ? null : this.names.numberOf(name);
  }
}

/** A name column read back as its text, under its own name. */
const NAME_OF = (column: string) => `${nameOfNumber('battery_names', column)} AS ${column}`;

/** The columns of a key, or its whole JSON when the columns would not give it back exactly. */
export function columnsOf(key: ActiveKey): KeyColumns {
  const notBefore = instantColumn(key.notBefore);
  const notAfter = instantColumn(key.notAfter);
  const issuedAt = instantColumn(key.issuedAt);
  if (
    !fitsColumns(key) ||
    typeof notBefore === 'string' ||
    typeof notAfter === 'string' ||
    typeof issuedAt === 'string'
  )
    return { ...NO_COLUMNS, document: JSON.stringify(key) };
  const jwk = jwkColumn(key.publicKey.jwk);
  return {
    holder_person: key.holder.personId,
    holder_party: key.holder.partyId,
    jwk,
    thumbprint:
      typeof jwk !== 'string' && key.publicKey.thumbprint === ed25519Thumbprint(jwk)
        ? null
        : base64url32Column(key.publicKey.thumbprint),
    capabilities: capabilitiesColumn(key.capabilities),
    not_before: notBefore,
    not_after: notAfter,
    issued_at: issuedAt === notBefore ? null : issuedAt,
    authority_party: key.authority.partyId,
    lease_id: key.authority.relationship === 'operator' ? key.authority.leaseId : null,
    document: null,
  };
}

const NO_COLUMNS: Omit<KeyColumns, 'document'> = {
  holder_person: null,
  holder_party: null,
  jwk: null,
  thumbprint: null,
  capabilities: null,
  not_before: null,
  not_after: null,
  issued_at: null,
  authority_party: null,
  lease_id: null,
};

const KEY_FIELDS = [
  'keyId',
  'holder',
  'publicKey',
  'capabilities',
  'notBefore',
  'notAfter',
  'authority',
  'issuedAt',
];
const HOLDER_FIELDS = ['personId', 'partyId'];
const PUBLIC_KEY_FIELDS = ['jwk', 'thumbprint'];
const OWNER_FIELDS = ['relationship', 'partyId'];
const OPERATOR_FIELDS = ['relationship', 'partyId', 'leaseId'];

/**
 * Whether `keyOfRow` rebuilds this key as it is: the fields it knows, in its order, holding
 * strings, and capabilities that survive being joined by spaces (the property spec checks the
 * two against each other, byte for byte of their JSON). The JWK round-trips through JSON itself.
 */
function fitsColumns(key: ActiveKey): boolean {
  const { holder, publicKey, authority, capabilities } = key;
  return (
    hasFields(key, KEY_FIELDS) &&
    hasFields(holder, HOLDER_FIELDS) &&
    typeof holder.personId === 'string' &&
    typeof holder.partyId === 'string' &&
    hasFields(publicKey, PUBLIC_KEY_FIELDS) &&
    typeof publicKey.thumbprint === 'string' &&
    typeof publicKey.jwk === 'object' &&
    publicKey.jwk !== null &&
    !Array.isArray(publicKey.jwk) &&
    hasFields(authority, authority.relationship === 'operator' ? OPERATOR_FIELDS : OWNER_FIELDS) &&
    (authority.relationship === 'owner' || authority.relationship === 'operator') &&
    typeof authority.partyId === 'string' &&
    (authority.relationship === 'owner' || typeof authority.leaseId === 'string') &&
    Array.isArray(capabilities) &&
    capabilities.every(
      (capability: unknown) =>
        typeof capability === 'string' && capability !== '' && !capability.includes(' '),
    )
  );
}

/**
 * Whether the value is an object whose enumerable names are these, in this order: Object.keys'
 * order, walked without making its array (this runs for every key a catching-up service applies).
 * A name a prototype adds makes it false, so such a key is kept whole, as JSON.
 */
function hasFields(value: object | null | undefined, fields: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  let count = 0;
  for (const name in value) if (name !== fields[count++]) return false;
  return count === fields.length;
}

/** The key a row holds, its fields in the order the battery's state has them. */
export function keyOfRow(row: KeyRow): ActiveKey {
  if (row.document !== null) return JSON.parse(row.document) as ActiveKey;
  // fitsColumns: an operator's key always names its lease, an owner's never does.
  const authority: KeyAuthority =
    row.lease_id !== null
      ? { relationship: 'operator', partyId: row.authority_party!, leaseId: row.lease_id }
      : { relationship: 'owner', partyId: row.authority_party! };
  return {
    keyId: row.key_id,
    holder: { personId: row.holder_person!, partyId: row.holder_party! },
    publicKey: {
      jwk: jwkOfColumn(row.jwk!),
      thumbprint:
        row.thumbprint === null
          ? ed25519Thumbprint(row.jwk as Uint8Array)
          : base64urlOfColumn(row.thumbprint),
    },
    capabilities: capabilitiesOfColumn(row.capabilities!),
    notBefore: instantOfColumn(row.not_before!),
    notAfter: instantOfColumn(row.not_after!),
    authority,
    issuedAt: instantOfColumn(row.issued_at ?? row.not_before!),
  };
}

/**
 * Capabilities by their code: the position of each in this list, which only ever grows (rows keep
 * the codes, so a name never moves). A key's capabilities are kept as one byte each, in its
 * order, when every one is listed here; otherwise as their names joined by spaces.
 */
const CAPABILITY_CODES: readonly string[] = [
  'status.read',
  'discharge',
  'charge',
  'diagnostics.read',
  'cells.balance',
  'faults.reset',
  'firmware.install-signed',
  'soc-window.change',
  'rate-limits.change',
  'lease.assign',
  'ownership.transfer',
  'remote.disable',
  'hard-limits.exceed',
];

function capabilitiesColumn(capabilities: readonly string[]): Uint8Array | string {
  const codes = capabilities.map((capability) => CAPABILITY_CODES.indexOf(capability));
  return codes.length > 0 && codes.every((code) => code >= 0)
    ? Buffer.from(codes)
    : capabilities.join(' ');
}

function capabilitiesOfColumn(stored: Uint8Array | string): Capability[] {
  if (typeof stored === 'string') return stored ? (stored.split(' ') as Capability[]) : [];
  return Array.from(stored, (code) => CAPABILITY_CODES[code] as Capability);
}

/** The RFC 7638 thumbprint of the Ed25519 key whose `x` these 32 bytes are. */
function ed25519Thumbprint(x: Uint8Array): string {
  const members = `{"crv":"Ed25519","kty":"OKP","x":"${Buffer.from(x).toString('base64url')}"}`;
  return hash('sha256', members, 'base64url');
}
