import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Read-model columns that keep a value in fewer bytes and give back exactly the text they were
 * given: a value the compact form would not give back byte for byte is kept as its text. SQLite
 * tells the two apart by their storage class (INTEGER or BLOB against TEXT), so nothing is lost.
 */

const WRITTEN_BY_TO_ISO_STRING = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * An instant written by `toISOString` as its epoch milliseconds (6 bytes instead of 24). A bigint,
 * which SQLite stores as an INTEGER (a JS number would be a REAL of 8 bytes); the column has no
 * type affinity, so an instant kept as text that looks like a number stays text.
 *
 * The fields are read digit by digit rather than by Date.parse: a fleet's catch-up converts about
 * six instants an event, and Date.parse with the check that it did not roll a day over cost about
 * two and a half times as long. Only text `toISOString` could have written is converted: a day past its month's
 * end, 24:00 or a 60th second or minute stays text, as Date.parse would not give it back.
 */
export function instantColumn(instant: string): bigint | string {
  // The shape `toISOString` writes for years 0000 to 9999. A value that is not text at all (an
  // event stored before a field was required) is given back as it came, as the regex alone did.
  if (typeof instant !== 'string' || instant.length !== 24) return instant;
  if (!WRITTEN_BY_TO_ISO_STRING.test(instant)) return instant;
  const year = digitsAt(instant, 0, 4);
  const month = digitsAt(instant, 5, 2);
  const day = digitsAt(instant, 8, 2);
  const hour = digitsAt(instant, 11, 2);
  const minute = digitsAt(instant, 14, 2);
  const second = digitsAt(instant, 17, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return instant;
  if (hour > 23 || minute > 59 || second > 59) return instant;
  // Date.UTC reads years 0 to 99 as 1900 to 1999; the Gregorian calendar repeats every 400 years.
  const millis =
    Date.UTC(year + 400, month - 1, day, hour, minute, second, digitsAt(instant, 20, 3)) -
    FOUR_HUNDRED_YEARS_MS;
  return BigInt(millis);
}

/** The number the decimal digits at `start` spell (the caller checked they are digits). */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

/** 146,097 days: the Gregorian calendar's cycle of leap years. */
const FOUR_HUNDRED_YEARS_MS = 146_097 * 86_400_000;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function instantOfColumn(stored: number | bigint | string): string {
  return typeof stored === 'string' ? stored : new Date(Number(stored)).toISOString();
}

/** The 16 bytes of a lowercase UUID; undefined for any other text. */
export function uuidBytes(id: string): Buffer | undefined {
  return LOWERCASE_UUID.test(id) ? Buffer.from(id.replace(/-/g, ''), 'hex') : undefined;
}

const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** The unpadded base64url of 32 bytes (a SHA-256 thumbprint, an Ed25519 key) as the bytes (32 instead of 43). */
export function base64url32Column(text: string): Buffer | string {
  return BASE64URL_32_BYTES.test(text) ? Buffer.from(text, 'base64url') : text;
}

export function base64urlOfColumn(stored: Uint8Array | string): string {
  return typeof stored === 'string' ? stored : Buffer.from(stored).toString('base64url');
}

/** An Ed25519 JWK (`kty`, `crv`, `x` in that order) as the 32 bytes of its `x`; any other JWK as its JSON. */
export function jwkColumn(jwk: Record<string, string>): Uint8Array | string {
  if (Object.keys(jwk).join(' ') === 'kty crv x' && jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    const x = base64url32Column(jwk.x);
    if (typeof x !== 'string') return x;
  }
  return JSON.stringify(jwk);
}

export function jwkOfColumn(stored: Uint8Array | string): Record<string, string> {
  if (typeof stored === 'string') return JSON.parse(stored) as Record<string, string>;
  return { kty: 'OKP', crv: 'Ed25519', x: base64urlOfColumn(stored) };
}

/**
 * A raw-deflate window of 2 KiB holds a dictionary and a document of about a kilobyte; zlib's
 * default window and memory level cost about four times as long to set up on every call, which
 * dominates a document this small, for no fewer bytes.
 */
const DEFLATE_WINDOW_BITS = 11;
const DEFLATE_MEM_LEVEL = 3;

/** UTF-8 cannot carry one: text holding it stays text, so it comes back as it went in. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text (a JSON document) raw-deflated against a dictionary of what such documents usually say:
 * their field names and common values. The dictionary is part of the stored form: a read model
 * that changes it must take a new schema version (it is rebuilt). Text the deflate would not make
 * smaller is kept as text, and so is text longer than `maxLength`: deflate costs in proportion to
 * the length (about 4 ms for 85 KB here) on every write, and a long document is long because of
 * what a dictionary cannot shorten (lists of ids, random by nature).
 */
export class DeflatedTextColumn {
  private readonly dictionary: Buffer;

  constructor(
    dictionary: string,
    private readonly maxLength = 4096,
  ) {
    this.dictionary = Buffer.from(dictionary, 'utf8');
  }

  column(text: string): Buffer | string {
    if (text.length > this.maxLength || LONE_SURROGATE.test(text)) return text;
    const deflated = deflateRawSync(text, {
      dictionary: this.dictionary,
      windowBits: DEFLATE_WINDOW_BITS,
      memLevel: DEFLATE_MEM_LEVEL,
    });
    return deflated.length < Buffer.byteLength(text, 'utf8') ? deflated : text;
  }

  textOf(stored: Uint8Array | string): string {
    if (typeof stored === 'string') return stored;
    return inflateRawSync(stored, {
      dictionary: this.dictionary,
      windowBits: DEFLATE_WINDOW_BITS,
    }).toString('utf8');
  }
}
