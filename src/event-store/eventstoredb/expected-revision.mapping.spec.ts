import { ANY, NO_STREAM, STREAM_EXISTS } from '@eventstore/db-client';
import { toClientExpectedRevision } from './expected-revision.mapping';

describe('expected revision in the client terms', () => {
  it('maps the three states by name and a revision to a bigint', () => {
    expect(toClientExpectedRevision('any')).toBe(ANY);
    expect(toClientExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toClientExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toClientExpectedRevision(0)).toBe(0n);
    expect(toClientExpectedRevision(41)).toBe(41n);
  });

  it('refuses what is not a revision', () => {
    expect(() => toClientExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toClientExpectedRevision(1.5)).toThrow(RangeError);
  });
});
