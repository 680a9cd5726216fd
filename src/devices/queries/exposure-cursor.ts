/**
 * Where a page of the exposure list ends: the last item's revocation time, serial and key id.
 * The list is ordered by revocation time (oldest exposure first), and many keys share one
 * revocation time (a transfer revokes all the old owner's keys in one event), so the cursor
 * carries the whole sort key: a page boundary inside such a group neither skips nor repeats.
 */
export interface ExposureCursor {
  revokedAt: string;
  serial: string;
  keyId: string;
}

/** Revocation times are recorded as Date#toISOString() gives them, so they sort as text. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Serials and key ids never contain whitespace (their request schemas), so a space separates. */
const PART = /^\S{1,64}$/;

/** The longest cursor this list hands out (instant, serial and key id at their longest, base64url). */
export const EXPOSURE_CURSOR_MAX_LENGTH = 206;

export const encodeExposureCursor = ({ revokedAt, serial, keyId }: ExposureCursor): string =>
  Buffer.from(`${revokedAt} ${serial} ${keyId}`, 'utf8').toString('base64url');

/** The position a cursor names, or undefined for anything this list did not hand out. */
export function decodeExposureCursor(cursor: string): ExposureCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor) || cursor.length > EXPOSURE_CURSOR_MAX_LENGTH)
    return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(' ');
  if (parts.length !== 3) return undefined;
  const [revokedAt, serial, keyId] = parts;
  if (!INSTANT.test(revokedAt) || Number.isNaN(Date.parse(revokedAt))) return undefined;
  if (!PART.test(serial) || !PART.test(keyId)) return undefined;
  return { revokedAt, serial, keyId };
}
