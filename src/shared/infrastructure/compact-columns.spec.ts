import fc from 'fast-check';
import {
  base64url32Column,
  base64urlOfColumn,
  instantColumn,
  DeflatedTextColumn,
  instantOfColumn,
  jwkColumn,
  jwkOfColumn,
  uuidBytes,
} from './compact-columns';

describe('compact read-model columns', () => {
  it('keep an instant written by toISOString as epoch milliseconds and give it back exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (millis) => {
        const instant = new Date(millis).toISOString();
        expect(instantColumn(instant)).toBe(BigInt(millis));
        expect(instantOfColumn(instantColumn(instant))).toBe(instant);
      }),
      { numRuns: 5_000 },
    );
  });

  it('keep any other text as it is, whatever Date.parse makes of it', () => {
    const rolledOverOrOtherwiseWritten = [
      '2026-02-30T00:00:00.000Z',
      '2026-02-29T00:00:00.000Z',
      '2026-04-31T12:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.000+00:00',
      '+002026-01-01T00:00:00.000Z',
      '2026-01-01',
      '123',
      '',
    ];
    for (const text of rolledOverOrOtherwiseWritten) {
      expect(instantColumn(text)).toBe(text);
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(instantOfColumn(instantColumn(text))).toBe(text);
      }),
      { numRuns: 5_000 },
    );
    expect(instantColumn('2024-02-29T00:00:00.000Z')).toBe(BigInt(Date.UTC(2024, 1, 29)));
    // A stored event older than a required field: whatever it holds comes back, nothing throws.
    for (const notText of [undefined, null, 1_700_000_000_000])
      expect(instantColumn(notText as unknown as string)).toBe(notText);
  });

  it('convert exactly the text toISOString gives back, for any digits in its shape', () => {
    const digits = (count: number, max: number) =>
      fc.integer({ min: 0, max }).map((value) => String(value).padStart(count, '0'));
    const shaped = fc
      .tuple(
        digits(4, 9999),
        digits(2, 13),
        digits(2, 32),
        digits(2, 25),
        digits(2, 60),
        digits(2, 60),
        digits(3, 999),
      )
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(shaped, (text) => {
        const millis = Date.parse(text);
        const writtenByToIsoString =
          Number.isFinite(millis) && new Date(millis).toISOString() === text;
        expect(instantColumn(text)).toBe(writtenByToIsoString ? BigInt(millis) : text);
      }),
      { numRuns: 20_000 },
    );
    for (const leapDay of ['0000-02-29T00:00:00.000Z', '2000-02-29T12:00:00.000Z'])
      expect(instantColumn(leapDay)).toBe(BigInt(Date.parse(leapDay)));
    for (const notLeap of ['1900-02-29T00:00:00.000Z', '2100-02-29T00:00:00.000Z'])
      expect(instantColumn(notLeap)).toBe(notLeap);
  });

  it('take a lowercase UUID as its 16 bytes and no other text', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.string(), (uuid, text) => {
        expect(uuidBytes(uuid)?.toString('hex')).toBe(uuid.replace(/-/g, ''));
        if (uuid !== uuid.toUpperCase()) expect(uuidBytes(uuid.toUpperCase())).toBeUndefined();
        if (!/^[0-9a-f-]{36}$/.test(text)) expect(uuidBytes(text)).toBeUndefined();
      }),
    );
  });

  it('keep the base64url of 32 bytes as the bytes and anything else as text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string(), (bytes, text) => {
        const encoded = Buffer.from(bytes).toString('base64url');
        expect(base64url32Column(encoded)).toEqual(Buffer.from(bytes));
        expect(base64urlOfColumn(base64url32Column(text))).toBe(text);
      }),
    );
    // The last character carries 4 bits: one with its low bits set is not what encoding gives.
    const noncanonical = `${'A'.repeat(42)}B`;
    expect(base64url32Column(noncanonical)).toBe(noncanonical);
  });

  it('keep an Ed25519 JWK as the 32 bytes of its x and give any JWK back as its JSON', () => {
    const ed25519 = fc.record({
      kty: fc.constant('OKP'),
      crv: fc.constant('Ed25519'),
      x: fc
        .uint8Array({ minLength: 32, maxLength: 32 })
        .map((x) => Buffer.from(x).toString('base64url')),
    });
    fc.assert(
      fc.property(ed25519, fc.dictionary(fc.string(), fc.string()), (jwk, other) => {
        expect(jwkColumn(jwk)).toHaveLength(32);
        for (const each of [jwk, other, { x: jwk.x, crv: jwk.crv, kty: jwk.kty }])
          expect(JSON.stringify(jwkOfColumn(jwkColumn(each)))).toBe(JSON.stringify(each));
      }),
    );
  });

  it('deflate a document against its dictionary and give back exactly its text', () => {
    const column = new DeflatedTextColumn('{"status":"active","keys":[],"since":"T00:00:00.000Z"}');
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ unit: 'binary' })), (text) => {
        const stored = column.column(text);
        expect(column.textOf(stored)).toBe(text);
        if (typeof stored !== 'string')
          expect(stored.length).toBeLessThan(Buffer.byteLength(text, 'utf8'));
      }),
      { numRuns: 2_000 },
    );
    const long = '{"status":"active"}'.repeat(300);
    expect(column.column(long)).toBe(long);
    expect(new DeflatedTextColumn('', long.length).column(long)).toBeInstanceOf(Buffer);
    const lone = `${'{"status":"active"}'.repeat(20)}\uD800`;
    expect(column.textOf(column.column(lone))).toBe(lone);
    const document = JSON.stringify({
      status: 'active',
      keys: [],
      since: '2026-12-01T00:00:00.000Z',
    });
    expect(column.column(document).length).toBeLessThan(document.length / 2);
  });
});
