import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { TokenVerifier } from '../../src/auth/token-verifier';
import { VerifiedTokenCache } from '../../src/auth/verified-token-cache';

/**
 * Issue 11: a verified Bearer token is remembered by its hash, so a caller reusing it is not
 * charged an ES256 verification per request; but never past the token's exp, never longer than
 * the bound (a key the identity provider removed stops being honoured within it), never for a
 * refused token, and never more entries than the cap.
 */
const ISSUER = 'urn:battery-keys:local-issuer';
const AUDIENCE = 'battery-keys';
const MAX_AGE_MS = 60_000;

describe('Verified tokens are remembered, within bounds', () => {
  let signingKey: CryptoKey;
  let publicJwk: JWK;
  let published: { keys: JWK[] };
  let keyLookups: number;
  let clock: number;
  let verifier: TokenVerifier;

  const seconds = () => Math.floor(clock / 1000);
  const mint = (
    sub: string,
    { ttlSeconds = 3600, key = signingKey, party = 'lessor-a' } = {},
  ): Promise<string> =>
    new SignJWT({ party, roles: ['owner-admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: publicJwk.kid, typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(seconds())
      .setExpirationTime(seconds() + ttlSeconds)
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'issuer-1', alg: 'ES256' };
  });

  beforeEach(() => {
    published = { keys: [publicJwk] };
    keyLookups = 0;
    // A whole second, so exp (in seconds) falls exactly where the test puts it.
    clock = Date.UTC(2030, 0, 1);
    const keys: JWTVerifyGetKey = (header, token) => {
      keyLookups++;
      return createLocalJWKSet(published)(header, token);
    };
    verifier = new TokenVerifier(keys, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      cache: { now: () => clock, maxEntries: 3, maxAgeMs: MAX_AGE_MS },
    });
  });

  it('answers a token verified before without verifying it again, with an actor of its own', async () => {
    const token = await mint('alice');
    const first = await verifier.verify(token);
    expect(first).toEqual({ personId: 'alice', partyId: 'lessor-a', roles: ['owner-admin'] });
    (first.roles as string[]).push('platform-admin');

    clock += 1000;
    expect(await verifier.verify(token)).toEqual({
      personId: 'alice',
      partyId: 'lessor-a',
      roles: ['owner-admin'],
    });
    expect(keyLookups).toBe(1);
  });

  it('stops answering a token at its exp: from then on it is verified again, and refused as expired', async () => {
    const token = await mint('bob', { ttlSeconds: 30 });
    const exp = clock + 30_000;
    await verifier.verify(token);

    clock = exp - 1;
    await expect(verifier.verify(token)).resolves.toMatchObject({ personId: 'bob' });
    expect(keyLookups).toBe(1);

    clock = exp;
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'expired' });
    expect(keyLookups).toBe(2);
  });

  it('stops honouring a key removed from the JWKS once the bound has passed', async () => {
    const token = await mint('carol');
    await verifier.verify(token);
    published = { keys: [] };

    clock += MAX_AGE_MS - 1;
    await expect(verifier.verify(token)).resolves.toMatchObject({ personId: 'carol' });

    clock += 1;
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'signature-refused' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'signature-refused' });
  });

  it('keeps at most its cap of tokens, evicting the least recently used', async () => {
    const tokens = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((sub) => mint(sub)));
    for (const token of tokens.slice(0, 3)) await verifier.verify(token);
    await verifier.verify(tokens[0]); // p1 used again: p2 is now the least recent
    expect(keyLookups).toBe(3);

    await verifier.verify(tokens[3]); // evicts p2
    expect(keyLookups).toBe(4);
    for (const token of [tokens[0], tokens[2], tokens[3]]) await verifier.verify(token);
    expect(keyLookups).toBe(4);
    await verifier.verify(tokens[1]);
    expect(keyLookups).toBe(5);
  });

  it('remembers no refused token: a forgery or a refused claim is checked, and refused, every time', async () => {
    const stranger = (await generateKeyPair('ES256')).privateKey;
    const forged = await mint('mallory', { key: stranger });
    const impostor = await mint('mallory', { party: 'device:SN-1' });
    for (let i = 0; i < 3; i++) {
      await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'signature-refused' });
      await expect(verifier.verify(impostor)).rejects.toMatchObject({
        reason: 'reserved-subject',
      });
    }
    expect(keyLookups).toBe(6);
  });

  it('keys entries by the token’s SHA-256 and keeps nothing already expired', () => {
    expect(VerifiedTokenCache.keyOf('a.b.c')).toBe('hF4wRIgJ4ryJWOsCW_x5UjXROwd6U9DDq70jhRcNybg');
    const cache = new VerifiedTokenCache({ now: () => 10_000 });
    const actor = { personId: 'dan', partyId: 'lessor-a', roles: ['owner-admin'] };
    cache.set('gone', actor, 10);
    cache.set('kept', actor, 11);
    expect(cache.size).toBe(1);
    expect(cache.get('gone')).toBeUndefined();
    expect(cache.get('kept')).toEqual(actor);
  });
});
