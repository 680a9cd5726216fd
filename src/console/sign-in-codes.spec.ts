import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSignInCode, redeemSignInCode, SIGN_IN_DIR } from './sign-in-codes';

describe('one-time sign-in codes for the console', () => {
  let dataDir: string;
  const alice = {
    personId: 'alice',
    partyId: 'lessor-a',
    roles: ['owner-admin'],
    tokenTtlSeconds: 600,
  };
  const now = new Date('2026-12-01T10:00:00Z');

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sign-in-codes-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('given a fresh code, when it is redeemed, then it names the person, and a second redemption gets nothing', () => {
    const code = createSignInCode(dataDir, alice, now);
    expect(redeemSignInCode(dataDir, code, now)).toEqual({
      ...alice,
      expiresAt: '2026-12-01T10:02:00.000Z',
    });
    expect(redeemSignInCode(dataDir, code, now)).toBeUndefined();
    expect(readdirSync(join(dataDir, SIGN_IN_DIR))).toEqual([]);
  });

  it('given a code older than its lifetime, when it is redeemed, then it is refused and gone', () => {
    const code = createSignInCode(dataDir, alice, now, 120);
    expect(redeemSignInCode(dataDir, code, new Date(now.getTime() + 121_000))).toBeUndefined();
    expect(readdirSync(join(dataDir, SIGN_IN_DIR))).toEqual([]);
  });

  it('given a stored request, then its file holds no code and no token, and is named by the code’s hash', () => {
    const code = createSignInCode(dataDir, alice, now);
    const [name] = readdirSync(join(dataDir, SIGN_IN_DIR));
    expect(name).toMatch(/^[0-9a-f]{64}\.json$/);
    const stored = readFileSync(join(dataDir, SIGN_IN_DIR, name), 'utf8');
    expect(stored).not.toContain(code);
    expect(Object.keys(JSON.parse(stored) as object).sort()).toEqual(
      ['expiresAt', 'partyId', 'personId', 'roles', 'tokenTtlSeconds'].sort(),
    );
  });

  it('given something that is not a code (a path, a guess), then nothing is read', () => {
    createSignInCode(dataDir, alice, now);
    for (const guess of ['../../etc/passwd', '', 'a'.repeat(43), 'a'.repeat(44)])
      expect(redeemSignInCode(dataDir, guess, now)).toBeUndefined();
    expect(readdirSync(join(dataDir, SIGN_IN_DIR))).toHaveLength(1);
  });
});
