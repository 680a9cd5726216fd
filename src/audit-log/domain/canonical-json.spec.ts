import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/**
 * The text canonicalize gives, or the error it throws: ours must be the same, whatever the input.
 * Where canonicalize answers undefined (a top-level undefined, function or symbol), ours throws.
 */
function outcome(canonical: (value: unknown) => string | undefined, value: unknown): unknown {
  try {
    const text = canonical(value);
    return text === undefined ? { threw: 'Error' } : { text };
  } catch (error) {
    return { threw: error instanceof Error ? error.constructor.name : typeof error };
  }
}

const same = (value: unknown) =>
  expect(outcome(canonicalJson, value)).toEqual(outcome(canonicalize, value));

describe('canonical JSON (RFC 8785)', () => {
  it('is the text of canonicalize for every JSON value, unicode in keys and strings included', () => {
    fc.assert(fc.property(fc.jsonValue({ depthSize: 'medium' }), same), { numRuns: 3_000 });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })),
        same,
      ),
      { numRuns: 1_000 },
    );
  });

  it('is the text of canonicalize, or its error, for anything else a value could hold', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withSparseArray: true,
          withBoxedValues: true,
          withTypedArray: true,
          withObjectString: true,
        }),
        same,
      ),
      { numRuns: 3_000 },
    );
    for (const value of [
      -0,
      1e21,
      5e-324,
      0.1 + 0.2,
      NaN,
      Infinity,
      [1, , 3], // eslint-disable-line no-sparse-arrays
      [, 2], // eslint-disable-line no-sparse-arrays
      { toJSON: () => ({ b: 1, a: 2 }) },
      { toJSON: 'not a function' },
      new Date(0),
      { a: undefined, b: Symbol('s'), c: () => 1 },
      [undefined, Symbol('s'), () => 1],
      Object.create(null) as object,
      { '\u{1F600}': 1, '\uFFFF': 2, é: 3 },
    ])
      same(value);
  });

  it('writes a leaf-shaped event as RFC 8785 says: members sorted, no spaces, numbers as ES writes them', () => {
    expect(
      canonicalJson({
        stream: 'battery-SN-1',
        revision: 3,
        eventId: 'e',
        type: 'KeyIssued',
        data: { notAfter: '2027-01-01T00:00:00.000Z', capabilities: ['charge'], limit: 4.25 },
        metadata: { actor: { role: 'owner-admin', partyId: 'lessor-a' } },
      }),
    ).toBe(
      '{"data":{"capabilities":["charge"],"limit":4.25,"notAfter":"2027-01-01T00:00:00.000Z"},"eventId":"e",' +
        '"metadata":{"actor":{"partyId":"lessor-a","role":"owner-admin"}},"revision":3,"stream":"battery-SN-1","type":"KeyIssued"}',
    );
  });
});
