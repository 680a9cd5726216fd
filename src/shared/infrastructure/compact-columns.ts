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
 */
export function instantColumn(instant: string): bigint | string {
  // The shape `toISOString` writes for years 0000 to 9999; Date.parse takes its strict ISO path for
  // it, but rolls a day past the month's end (and 24:00) over, which the text would not say.
  if (!WRITTEN_BY_TO_ISO_STRING.test(instant)) return instant;
  const millis = Date.parse(instant);
  if (!Number.isFinite(millis) || instant.startsWith('24', 11)) return instant;
  const day = Number(instant.slice(8, 10));
  return new Date(millis).getUTCDate() === day ? BigInt(millis) : instant;
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
