import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_ISSUER_KEY_FILE } from '../auth/local-token-issuer';
import type { AppConfig } from '../config/app-config';
import { LOCAL_SIGNING_KEY_FILE } from '../signing/local-key-signer';
import { LOCAL_ROOT_KEY_FILE } from '../signing/trust/local-trust';
import { trustFileOf } from '../signing/trust/load-bundle-trust';

/** A key or trust file the service would read at start cannot be read or parsed. */
export class KeyFileUnreadableError extends Error {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`Key file ${file} ${why}`);
    this.name = 'KeyFileUnreadableError';
  }
}

/** The files a start reads keys or the chain of trust from, with this configuration. */
export function keyFilesOf(config: AppConfig): string[] {
  const files = [trustFileOf(config)];
  if (config.SIGNER === 'local')
    files.push(
      join(config.DATA_DIR, LOCAL_SIGNING_KEY_FILE),
      join(config.DATA_DIR, LOCAL_ROOT_KEY_FILE),
    );
  if (!config.AUTH_JWKS_URL) files.push(join(config.DATA_DIR, LOCAL_ISSUER_KEY_FILE));
  return files;
}

/**
 * Reads each key file that exists before anything starts, so one that cannot be read (owner or
 * mode, a directory in its place) or is not JSON stops the start with one line naming the file,
 * not a stack trace from deep inside the module that opens it. A missing file is made at start.
 */
export function assertKeyFilesReadable(config: AppConfig): void {
  for (const file of keyFilesOf(config)) {
    if (!existsSync(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const { code } = error as { code?: unknown };
      throw new KeyFileUnreadableError(
        file,
        code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES'
            ? `cannot be read by this process (EACCES, uid ${process.getuid?.() ?? '?'}): check its owner and mode`
            : `cannot be read (${typeof code === 'string' ? code : 'unknown error'})`,
      );
    }
    try {
      JSON.parse(text);
    } catch {
      throw new KeyFileUnreadableError(file, 'is not valid JSON (truncated or overwritten?)');
    }
  }
}
