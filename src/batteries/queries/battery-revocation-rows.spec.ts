import Database from 'better-sqlite3';
import fc from 'fast-check';
import { BATTERIES_SCHEMA } from '../projections/batteries.schema';
import { BatteryRevocationRows, type Revocations } from './battery-revocation-rows';

const base64url32 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));

function withRows(test: (rows: BatteryRevocationRows) => void): void {
  const db = new Database(':memory:');
  try {
    db.exec(BATTERIES_SCHEMA.ddl);
    test(new BatteryRevocationRows(db));
  } finally {
    db.close();
  }
}

const lists = (pairs: [string, string][]): Revocations => ({
  revokedKeyIds: pairs.map(([keyId]) => keyId),
  revokedThumbprints: pairs.map(([, thumbprint]) => thumbprint),
});

describe('battery revocation rows', () => {
  it('give back both lists exactly, in revocation order, however they grew', () => {
    withRows((rows) => {
      let serial = 0;
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.string(), fc.oneof(base64url32, fc.string()))),
          fc.nat(),
          (pairs, cut) => {
            const name = `SN-${(serial += 1)}`;
            const before = lists(pairs.slice(0, cut % (pairs.length + 1)));
            rows.append(name, undefined, before);
            rows.append(name, before, lists(pairs));
            expect(rows.of(name)).toEqual(lists(pairs));
          },
        ),
        { numRuns: 500 },
      );
    });
  });

  it('keep other batteries apart and answer empty lists for a battery never revoked', () => {
    withRows((rows) => {
      rows.append('SN-1', undefined, lists([['k1', 't1']]));
      rows.append('SN-2', undefined, lists([['k2', 't2']]));
      expect(rows.of('SN-1')).toEqual(lists([['k1', 't1']]));
      expect(rows.of('SN-3')).toEqual({ revokedKeyIds: [], revokedThumbprints: [] });
    });
  });

  it('refuse lists that no longer pair up, rather than keep rows that would not give them back', () => {
    withRows((rows) => {
      expect(() =>
        rows.append('SN-1', undefined, { revokedKeyIds: ['k1'], revokedThumbprints: [] }),
      ).toThrow(/no longer pair up/);
      expect(rows.of('SN-1')).toEqual({ revokedKeyIds: [], revokedThumbprints: [] });
    });
  });
});
