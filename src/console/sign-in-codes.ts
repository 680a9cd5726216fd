import { createHash, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * One-time sign-in links for the console with the embedded local issuer (development only).
 *
 * `npm run token -- … --console` writes a request here and prints a link carrying a random code in
 * its fragment; the console posts the code once to POST /console/sign-in and gets a token minted
 * then. Why a code and not the token itself in the link: a link is copied, pasted, kept in terminal
 * scroll-back and browser history. A code is worth nothing once redeemed (or after two minutes),
 * while a token in a URL would be a bearer credential for its whole lifetime. No token is ever
 * written to disk: the file holds only who signs in, and it is named by the code's SHA-256, so
 * listing the directory reveals no code.
 */
export const SIGN_IN_DIR = 'console-sign-in';
export const SIGN_IN_CODE = /^[A-Za-z0-9_-]{43}$/;
export const DEFAULT_SIGN_IN_CODE_TTL_SECONDS = 120;

export interface SignInRequest {
  personId: string;
  partyId: string;
  roles: string[];
  /** Lifetime of the token minted at redemption. */
  tokenTtlSeconds: number;
  /** ISO time after which the code is refused. */
  expiresAt: string;
}

const fileOf = (dataDir: string, code: string) =>
  join(dataDir, SIGN_IN_DIR, `${createHash('sha256').update(code).digest('hex')}.json`);

/** Writes a sign-in request and returns its code (32 random bytes, base64url). */
export function createSignInCode(
  dataDir: string,
  who: Omit<SignInRequest, 'expiresAt'>,
  now = new Date(),
  codeTtlSeconds = DEFAULT_SIGN_IN_CODE_TTL_SECONDS,
): string {
  const code = randomBytes(32).toString('base64url');
  mkdirSync(join(dataDir, SIGN_IN_DIR), { recursive: true, mode: 0o700 });
  const request: SignInRequest = {
    ...who,
    expiresAt: new Date(now.getTime() + codeTtlSeconds * 1000).toISOString(),
  };
  writeFileSync(fileOf(dataDir, code), JSON.stringify(request), { mode: 0o600, flag: 'wx' });
  return code;
}

/**
 * The sign-in request a code stands for, at most once: the file is first renamed to a name only
 * this call knows (a rename is atomic, so of two concurrent redemptions exactly one gets it), then
 * read and deleted. An unknown, used or expired code gives undefined, all alike.
 */
export function redeemSignInCode(
  dataDir: string,
  code: string,
  now = new Date(),
): SignInRequest | undefined {
  if (!SIGN_IN_CODE.test(code)) return undefined;
  const file = fileOf(dataDir, code);
  const claimed = `${file}.${randomBytes(8).toString('hex')}.redeeming`;
  try {
    renameSync(file, claimed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const request = JSON.parse(readFileSync(claimed, 'utf8')) as SignInRequest;
    return new Date(request.expiresAt).getTime() > now.getTime() ? request : undefined;
  } finally {
    unlinkSync(claimed);
  }
}

/** Deletes requests nobody redeemed in time, so the directory does not grow. */
export function sweepExpiredSignInCodes(dataDir: string, now = new Date()): void {
  const dir = join(dataDir, SIGN_IN_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  // A file's mtime is when it was written; nothing lives longer than the longest code lifetime we
  // hand out plus a margin, whatever it says inside.
  const oldest = now.getTime() - 3600 * 1000;
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (statSync(path).mtimeMs < oldest) unlinkSync(path);
    } catch {
      // Redeemed or swept by someone else meanwhile.
    }
  }
}
