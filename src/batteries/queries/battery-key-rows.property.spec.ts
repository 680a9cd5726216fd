import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { CAPABILITY_NAMES } from '../../policy/domain/capability-catalogue';
import type { ActiveKey } from '../domain/battery-state';
import { BATTERIES_SCHEMA } from '../projections/batteries.schema';
import { BatteryKeyRows, columnsOf, keyOfRow } from './battery-key-rows';

const instantWrittenByTheService = fc
  .integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) })
  .map((millis) => new Date(millis).toISOString());
const anyInstant = fc.oneof(
  instantWrittenByTheService,
  fc.constantFrom('2027-01-01T00:00:00Z', '2027-01-01T00:00:00.000+00:00', '2027-13-45', ''),
  fc.string(),
);

const base64url32 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));

function keyArbitrary(instant: fc.Arbitrary<string>, text: fc.Arbitrary<string>) {
  return fc.record({
    keyId: text,
    holder: fc.record({ personId: text, partyId: text }),
    publicKey: fc.record({
      jwk: fc.oneof(
        fc.record({ kty: fc.constant('OKP'), crv: fc.constant('Ed25519'), x: base64url32 }),
        fc.record({ kty: fc.constant('OKP'), crv: fc.constant('Ed25519'), x: text }),
        fc.record({ crv: fc.constant('Ed25519'), kty: fc.constant('OKP'), x: base64url32 }),
        fc.record({ kty: fc.constant('EC'), crv: fc.constant('P-256'), x: text, y: text }),
        fc.dictionary(text, text),
      ),
      thumbprint: fc.oneof(base64url32, text),
    }),
    capabilities: fc.oneof(
      fc.uniqueArray(fc.constantFrom(...CAPABILITY_NAMES)),
      fc.array(fc.oneof(fc.constantFrom(...CAPABILITY_NAMES), text)),
    ),
    notBefore: instant,
    notAfter: instant,
    authority: fc.oneof(
      fc.record({ relationship: fc.constant('owner' as const), partyId: text }),
      fc.record({ relationship: fc.constant('operator' as const), partyId: text, leaseId: text }),
    ),
    issuedAt: instant,
  }) as fc.Arbitrary<ActiveKey>;
}

/** A key as the service issues it: an Ed25519 JWK and its RFC 7638 thumbprint. */
const withItsThumbprint = (key: ActiveKey, x: string): ActiveKey => ({
  ...key,
  publicKey: {
    jwk: { kty: 'OKP', crv: 'Ed25519', x },
    thumbprint: createHash('sha256')
      .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }))
      .digest('base64url'),
  },
});

const roundTrip = (key: ActiveKey) => keyOfRow({ key_id: key.keyId, ...columnsOf(key) });

function withKeyRows(test: (rows: BatteryKeyRows, db: Database.Database) => void): void {
  const db = new Database(':memory:');
  try {
    db.exec(BATTERIES_SCHEMA.ddl);
    // Few names remembered, so most are also looked up in SQLite.
    test(new BatteryKeyRows(db, { rememberedNames: 3 }), db);
  } finally {
    db.close();
  }
}

describe('battery key rows', () => {
  it('give back every key exactly, byte for byte of its JSON, whatever its fields hold', () => {
    withKeyRows((rows) => {
      let position = 0n;
      fc.assert(
        fc.property(
          keyArbitrary(anyInstant, fc.string()),
          base64url32,
          fc.boolean(),
          fc.boolean(),
          (any, x, issued, atNotBefore) => {
            // Issued at its notBefore (the default) is most keys: the row keeps one instant.
            const timed = atNotBefore ? { ...any, issuedAt: any.notBefore } : any;
            const key = issued ? withItsThumbprint(timed, x) : timed;
            expect(JSON.stringify(roundTrip(key))).toBe(JSON.stringify(key));
            const serial = `SN-${(position += 1n)}`;
            rows.add(serial, position, key);
            expect(JSON.stringify(rows.of(serial))).toBe(JSON.stringify([key]));
          },
        ),
        { numRuns: 2_000 },
      );
    });
  });

  it('keep an instant that is not an epoch as text, even one that looks like a number', () => {
    withKeyRows((rows) => {
      const key = { ...roundTripFixture(), notBefore: '123', notAfter: '1.5e3' };
      rows.add('SN-1', 1n, key);
      expect(rows.of('SN-1')).toEqual([key]);
    });
  });

  it('give back a key with a field the columns do not know, kept whole', () => {
    const key = {
      ...roundTripFixture(),
      rule: 'owner-issues-layer-1',
    } as unknown as ActiveKey;
    expect(columnsOf(key).document).toBe(JSON.stringify(key));
    expect(JSON.stringify(roundTrip(key))).toBe(JSON.stringify(key));
  });

  it('keep the keys the service writes as columns, not as a JSON document', () => {
    fc.assert(
      fc.property(
        keyArbitrary(instantWrittenByTheService, fc.string({ minLength: 1 }).filter(noSpace)),
        base64url32,
        base64url32,
        fc.boolean(),
        (any, x, thumbprint, atNotBefore) => {
          const key = atNotBefore ? { ...any, issuedAt: any.notBefore } : any;
          const columns = columnsOf({
            ...key,
            publicKey: { jwk: { kty: 'OKP', crv: 'Ed25519', x }, thumbprint },
          });
          expect(columns.document).toBeNull();
          // The issue instant is kept only when it is not the key's notBefore.
          expect(columns.issued_at).toBe(
            key.issuedAt === key.notBefore ? null : BigInt(Date.parse(key.issuedAt)),
          );
          expect(columns.jwk).toHaveLength(32);
          expect(columns.thumbprint).toHaveLength(32);
          // The thumbprint the service computes is the key's own: computed again on read.
          expect(columnsOf(withItsThumbprint(key, x)).thumbprint).toBeNull();
          if (key.capabilities.every((name) => CAPABILITY_NAMES.includes(name)))
            expect(columns.capabilities).toHaveLength(key.capabilities.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keep every capability of the catalogue as its one-byte code', () => {
    for (const name of CAPABILITY_NAMES) {
      const columns = columnsOf({ ...roundTripFixture(), capabilities: [name, name] });
      expect(columns.capabilities).toBeInstanceOf(Uint8Array);
      expect(columns.capabilities).toHaveLength(2);
    }
  });

  it('list a battery’s keys in issue order and forget a revoked one', () => {
    withKeyRows((rows) => {
      const [first, second, third] = ['z-key', 'a-key', 'm-key'].map((keyId) => ({
        ...roundTripFixture(),
        keyId,
      }));
      rows.add('SN-1', 10n, first);
      rows.add('SN-2', 11n, { ...second, holder: { personId: 'other', partyId: 'other' } });
      rows.add('SN-1', 12n, second);
      rows.add('SN-1', 13n, third);
      expect(rows.of('SN-1').map((key) => key.keyId)).toEqual(['z-key', 'a-key', 'm-key']);
      expect(rows.of('SN-1')).toEqual([first, second, third]);

      rows.delete('SN-1', 'a-key');
      expect(rows.of('SN-1').map((key) => key.keyId)).toEqual(['z-key', 'm-key']);
      expect(rows.of('SN-2').map((key) => key.keyId)).toEqual(['a-key']);
    });
  });

  it('keep each person and party once, and no number of a batch that rolled back', () => {
    withKeyRows((rows, db) => {
      const held = (keyId: string, personId: string, partyId: string): ActiveKey => ({
        ...roundTripFixture(),
        keyId,
        holder: { personId, partyId },
      });
      const batch = db.transaction((keys: ActiveKey[], fail: boolean) => {
        keys.forEach((key, index) => rows.add('SN-1', BigInt(index), key));
        if (fail) throw new Error('rolled back');
      });
      const undone = ['p1', 'p2', 'p3', 'p4', 'p5'].map((person) => held(person, person, 'gone'));
      expect(() => batch(undone, true)).toThrow('rolled back');
      rows.forget();
      // New names after the rollback get the numbers the rolled-back ones had for a moment.
      const kept = ['q1', 'q2', 'q3', 'q4', 'q5', 'q1'].map((person, index) =>
        held(`k${index}`, person, 'workshop'),
      );
      batch(kept, false);
      expect(rows.of('SN-1')).toEqual(kept);
      expect(db.prepare('SELECT name FROM battery_names ORDER BY id').pluck().all()).toEqual([
        'q1',
        'workshop',
        'courier',
        'q2',
        'q3',
        'q4',
        'q5',
      ]);
    });
  });
});

const noSpace = (text: string) => !text.includes(' ');

function roundTripFixture(): ActiveKey {
  return {
    keyId: 'SN-1-k0',
    holder: { personId: 'tech-0', partyId: 'workshop' },
    publicKey: {
      jwk: { kty: 'OKP', crv: 'Ed25519', x: '3JF2fMgoaRYETEyxcn2h9S3tGpyYZK00h05K9BYRthE' },
      thumbprint: 'FGJDFbDdEyb1pGCnEyZyaRA2a7FKYnDfeS1xuCWnOzk',
    },
    capabilities: ['status.read', 'discharge', 'charge'],
    notBefore: '2026-12-01T13:06:25.201Z',
    notAfter: '2027-12-01T13:06:25.201Z',
    authority: { relationship: 'operator', partyId: 'courier', leaseId: 'lease-1' },
    issuedAt: '2026-12-01T13:06:25.201Z',
  };
}
