import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';

export const SOFTHSM_LIBRARY = process.env.SOFTHSM2_LIBRARY ?? '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsmToken {
  library: string;
  tokenLabel: string;
  pin: string;
  remove(): void;
}

/** SoftHSM2 is a Debian package (.ci/run installs it); without it the HSM tests say so and skip, except in CI. */
export function softHsmAvailable(): boolean {
  const available = existsSync(SOFTHSM_LIBRARY);
  if (!available && process.env.CI)
    throw new Error(
      `SoftHSM2 is missing (${SOFTHSM_LIBRARY}); .ci/run installs the softhsm2 package`,
    );
  if (!available)
    console.warn(
      `SoftHSM2 not installed (${SOFTHSM_LIBRARY}): skipping the HSM tests; apt-get install softhsm2`,
    );
  return available;
}

/** A fresh token in a temporary directory, for the whole test process: one token directory per test file. */
export function initSoftHsmToken(tokenLabel = 'battery-keys-test'): SoftHsmToken {
  const dir = mkdtempSync(join(tmpdir(), 'softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  // SoftHSM reads SOFTHSM2_CONF with getenv() when the library initialises. Jest gives each test
  // file a copy of process.env, so the variable is set on the real process too.
  process.env.SOFTHSM2_CONF = conf;
  (runInThisContext('process') as NodeJS.Process).env.SOFTHSM2_CONF = conf;
  const pin = '5678';
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', tokenLabel, '--so-pin', '1234', '--pin', pin],
    { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'pipe' },
  );
  return {
    library: SOFTHSM_LIBRARY,
    tokenLabel,
    pin,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
