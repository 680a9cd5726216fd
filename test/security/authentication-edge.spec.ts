import { base64url, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createApp } from '../../src/create-app';
import { loadOrCreateLocalIssuerKey, publicPart } from '../../src/auth/local-token-issuer';
import { TokenKeysUnavailableError, TokenVerifier } from '../../src/auth/token-verifier';
import { createDeviceProof } from '../../src/device-verifier';
import { registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { provisionDevice, type TestDevice } from '../devices/support/device-harness';

/**
 * Issue 9, "a hostile tenant finds nothing", at the authentication edge. Each describe is one
 * threat: who attacks, what they are after; each test runs the attack against the real app over
 * HTTP and shows it refused. Every app here logs at `debug` (where the one line per request is
 * written) into `mockLog` (createApp's logDestination), so the last describe can show that no
 * attack produced a 5xx or an error-level log line, and the log test can read exactly what the
 * service writes.
 */
const mockLog: string[] = [];
jest.mock('../../src/create-app', () => {
  const actual = jest.requireActual('../../src/create-app');
  return {
    ...actual,
    createApp: (env: Record<string, string | undefined>, options = {}) =>
      actual.createApp(
        { ...env, LOG_LEVEL: 'debug' },
        { logDestination: { write: (line: string) => mockLog.push(line) }, ...options },
      ),
  };
});

jest.setTimeout(60_000);

const epoch = () => Math.floor(Date.now() / 1000);
const bogusToken = () =>
  [16, 48, 32].map((size) => randomBytes(size).toString('base64url')).join('.');
const from = (address: string, headers: Record<string, string> = {}) => ({
  'x-forwarded-for': address,
  ...headers,
});
const bundlePath = (serial: string) => `/v1/devices/${serial}/bundle`;
const OUR_ANSWER = 'application/problem+json';
/** Phrases of jose's own error messages (and of what we used to wrap them in): none may reach a caller. */
const JOSE_INTERNALS =
  /timestamp check|unexpected "|missing required|verification failed|Header Parameter|Compact JWS|JSON Web Key Set|Claims Set|ERR_|Token refused/;

async function genuineProof(app: TestApp, device: TestDevice): Promise<string> {
  return createDeviceProof(device.identity, {
    method: 'GET',
    url: `${app.baseUrl}${bundlePath(device.identity.serial)}`,
    now: epoch(),
  });
}

describe('A caller rotating bogus tokens escapes the rate limit', () => {
  // Behind a trusted proxy: each scenario comes from its own X-Forwarded-For address.
  const LIMIT = 10;
  let app: TestApp;
  let cast: Cast;
  let victim: TestDevice;

  beforeAll(async () => {
    app = await TestApp.start({ RATE_LIMIT_PER_MINUTE: String(LIMIT), TRUST_PROXY: 'true' });
    cast = await registerCast(app);
    victim = await provisionDevice(app, cast, 'SN-VICTIM');
  });
  afterAll(async () => app.stop());

  it('counts a flood of bogus tokens on the address: 429 once over, and then even a genuine token waits, unverified', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      statuses.push(
        (
          await app.request('GET', '/v1/parties', {
            headers: from('203.0.113.1', { authorization: `Bearer ${bogusToken()}` }),
          })
        ).status,
      );
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);

    const limited = await app.request('GET', '/v1/parties', {
      headers: from('203.0.113.1', { authorization: `Bearer ${bogusToken()}` }),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain(OUR_ANSWER);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ status: 429, code: 'too-many-requests' });

    // A person never seen before would be verified and counted on their own: refused instead,
    // so the address's requests are refused before any signature is checked.
    const nina = await app.caller('nina', 'lessor-a', ['owner-admin']);
    expect(
      (await app.request('GET', '/v1/parties', { as: nina, headers: from('203.0.113.1') })).status,
    ).toBe(429);
    expect(
      (await app.request('GET', '/v1/parties', { as: nina, headers: from('203.0.113.2') })).status,
    ).not.toBe(429);
  });

  it('counts an IPv6 client on its /64, so rotating addresses within it mints no fresh bucket', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      const address = `2001:db8:1:1:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::${i + 1}`;
      statuses.push(
        (
          await app.request('GET', '/v1/parties', {
            headers: from(address, { authorization: `Bearer ${bogusToken()}` }),
          })
        ).status,
      );
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);
    expect(
      (
        await app.request('GET', '/v1/parties', {
          headers: from('2001:db8:1:2::1', { authorization: `Bearer ${bogusToken()}` }),
        })
      ).status,
    ).toBe(401);
  });

  it('counts a person once whatever party their token names, and never on their address', async () => {
    const tokens = [
      await app.caller('alice', 'lessor-a', ['owner-admin']),
      await app.caller('alice', 'lessor-b', ['owner-admin']),
    ];
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++)
      statuses.push(
        (
          await app.request('GET', '/v1/parties', {
            as: tokens[i % 2],
            headers: from('203.0.113.3'),
          })
        ).status,
      );
    expect(
      statuses
        .slice(0, LIMIT)
        .filter((status) => status === 401 || status === 429 || status >= 500),
    ).toEqual([]);
    expect(statuses[LIMIT]).toBe(429);
    expect(
      (await app.request('GET', '/v1/parties', { as: cast.ownerB, headers: from('203.0.113.3') }))
        .status,
    ).not.toBe(429);
  });

  it('does not let a valid token buy unlimited verifications: past the person’s limit, the excess fills the address', async () => {
    const hank = await app.caller('hank', 'lessor-a', ['owner-admin']);
    const statuses: number[] = [];
    for (let i = 0; i < 2 * LIMIT; i++)
      statuses.push(
        (await app.request('GET', '/v1/parties', { as: hank, headers: from('203.0.113.4') }))
          .status,
      );
    expect(statuses.slice(LIMIT)).toEqual(Array(LIMIT).fill(429));
    // The address is now full: a colleague behind it waits, and nothing there is verified any more.
    const ivy = await app.caller('ivy', 'lessor-a', ['owner-admin']);
    expect(
      (await app.request('GET', '/v1/parties', { as: ivy, headers: from('203.0.113.4') })).status,
    ).toBe(429);
  });

  it('counts bogus device proofs on the sender, so a victim device is not locked out, and never verifies them once over', async () => {
    const forger = (await generateKeyPair('ES256')).privateKey;
    const forged = () =>
      new SignJWT({
        htm: 'GET',
        htu: `${app.baseUrl}${bundlePath('SN-VICTIM')}`,
        sub: 'SN-VICTIM',
        jti: randomBytes(16).toString('base64url'),
        iat: epoch(),
      })
        .setProtectedHeader({
          alg: 'ES256',
          typ: 'battery-device-proof+jwt',
          kid: victim.identity.thumbprint,
        })
        .sign(forger);
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++)
      statuses.push(
        (
          await app.request('GET', bundlePath('SN-VICTIM'), {
            headers: from('198.51.100.7', { 'device-proof': await forged() }),
          })
        ).status,
      );
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);
    const garbage = await app.request('GET', bundlePath('SN-VICTIM'), {
      headers: from('198.51.100.7', { 'device-proof': 'a.b.c' }),
    });
    expect(garbage).toMatchObject({ status: 429, body: { code: 'too-many-requests' } });

    // A genuine proof sent from the flooded address is refused unverified: its jti is not even
    // spent, for the same proof is then accepted from the device's own address.
    const proof = await genuineProof(app, victim);
    expect(
      (
        await app.request('GET', bundlePath('SN-VICTIM'), {
          headers: from('198.51.100.7', { 'device-proof': proof }),
        })
      ).status,
    ).toBe(429);
    expect(
      (
        await app.request('GET', bundlePath('SN-VICTIM'), {
          headers: from('198.51.100.8', { 'device-proof': proof }),
        })
      ).status,
    ).toBe(200);
  });

  it('limits a device on its own verified identity, not on its address', async () => {
    const device = await provisionDevice(app, cast, 'SN-BUSY');
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      statuses.push(
        (
          await app.request('GET', bundlePath('SN-BUSY'), {
            headers: from('198.51.100.9', { 'device-proof': await genuineProof(app, device) }),
          })
        ).status,
      );
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
    const limited = await app.request('GET', bundlePath('SN-BUSY'), {
      headers: from('198.51.100.9', { 'device-proof': await genuineProof(app, device) }),
    });
    expect(limited.headers.get('content-type')).toContain(OUR_ANSWER);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    // Its address still has its whole budget: an unverified request there is judged, not limited.
    expect(
      (
        await app.request('GET', bundlePath('SN-BUSY'), {
          headers: from('198.51.100.9', { 'device-proof': 'a.b.c' }),
        })
      ).status,
    ).toBe(401);
  });
});

describe('A caller forging X-Forwarded-For escapes the rate limit of a service not behind a proxy', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(async () => app.stop());

  it('ignores X-Forwarded-For without TRUST_PROXY, and still never limits /health', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (
          await app.request('GET', '/v1/parties', {
            headers: from(`192.0.2.${i + 1}`, { authorization: `Bearer ${bogusToken()}` }),
          })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    for (let i = 0; i < 10; i++) expect((await app.request('GET', '/health')).status).toBe(200);
  });

  it('refuses a TRUST_PROXY it cannot understand at start, by name', async () => {
    await expect(
      createApp({ TRUST_PROXY: 'the-load-balancer', LOG_LEVEL: 'silent' }),
    ).rejects.toThrow(/Invalid configuration: TRUST_PROXY/);
  });
});

describe('A forger relies on a deployment accepting unsigned or HMAC tokens', () => {
  it('refuses AUTH_ALGORITHMS naming none, an HMAC or nothing at start, by name', async () => {
    for (const algorithms of ['none', 'HS256', 'ES256,HS512', '']) {
      await expect(createApp({ AUTH_ALGORITHMS: algorithms, LOG_LEVEL: 'silent' })).rejects.toThrow(
        /Invalid configuration: AUTH_ALGORITHMS/,
      );
    }
  });
});

describe('A tenant mints a token as a device', () => {
  let app: TestApp;
  let cast: Cast;
  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    await provisionDevice(app, cast, 'SN-IMPERSONATED');
  });
  afterAll(async () => app.stop());

  it('refuses a person token whose subject or party is the reserved device:<serial>, in any case, on reads and writes', async () => {
    const impostors = [
      await app.caller('device:SN-IMPERSONATED', 'oem', ['device']),
      await app.caller('DEVICE:SN-IMPERSONATED', 'oem', ['owner-admin']),
      await app.caller('mallory', 'device:SN-IMPERSONATED', ['owner-admin']),
    ];
    for (const as of impostors) {
      for (const [method, path, body] of [
        ['GET', '/v1/batteries/SN-IMPERSONATED', undefined],
        ['POST', '/v1/batteries/SN-IMPERSONATED/theft-report', {}],
      ] as const) {
        const answer = await app.request(method, path, { as, body });
        expect(answer).toMatchObject({
          status: 401,
          body: { code: 'token-reserved-subject', detail: expect.stringContaining('reserved') },
        });
        expect(answer.headers.get('www-authenticate')).toBe(
          'Bearer realm="battery-keys", error="invalid_token"',
        );
      }
    }
    const history = await app.request('GET', '/v1/batteries/SN-IMPERSONATED/history', {
      as: cast.ownerA,
    });
    expect(history.status).toBe(200);
    expect(JSON.stringify(history.body)).not.toMatch(
      /TheftReported|DEVICE:|"device:SN-IMPERSONATED"/i,
    );
  });
});

describe('A prober reads the verifier’s internals from error text', () => {
  let app: TestApp;
  let issuerKey: JWK;
  beforeAll(async () => {
    app = await TestApp.start();
    issuerKey = await loadOrCreateLocalIssuerKey(app.dataDir);
  });
  afterAll(async () => app.stop());

  const claims = () => ({
    sub: 'pia',
    party: 'lessor-a',
    roles: ['owner-admin'],
    iss: 'urn:battery-keys:local-issuer',
    aud: 'battery-keys',
    iat: epoch(),
    exp: epoch() + 600,
  });
  const signed = async (
    body: Record<string, unknown>,
    key: JWK = issuerKey,
    header: Record<string, unknown> = {},
  ) =>
    new SignJWT(body)
      .setProtectedHeader({ alg: 'ES256', kid: issuerKey.kid, typ: 'JWT', ...header })
      .sign(await importJWK(key, 'ES256'));
  const encode = (value: object) => base64url.encode(JSON.stringify(value));

  it('answers every refused token with a fixed sentence of ours, a stable code and an RFC 6750 challenge', async () => {
    const stranger = await exportJWK(
      (await generateKeyPair('ES256', { extractable: true })).privateKey,
    );
    const publicSecret = new TextEncoder().encode(JSON.stringify(publicPart(issuerKey)));
    const valid = await signed(claims());
    const [header, payload, signature] = valid.split('.');
    const cases: [string, string, string][] = [
      [
        'expired',
        await signed({ ...claims(), iat: epoch() - 7200, exp: epoch() - 3600 }),
        'token-expired',
      ],
      ['not yet valid', await signed({ ...claims(), nbf: epoch() + 3600 }), 'token-not-yet-valid'],
      [
        'wrong issuer',
        (await app.caller('pia', 'lessor-a', ['owner-admin'], { issuer: 'urn:evil' })).token,
        'token-wrong-issuer',
      ],
      [
        'wrong audience',
        (await app.caller('pia', 'lessor-a', ['owner-admin'], { audience: 'another-service' }))
          .token,
        'token-wrong-audience',
      ],
      ['no expiry', await signed({ ...claims(), exp: undefined }), 'token-missing-claim'],
      [
        'alg none',
        `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims())}.`,
        'token-algorithm-refused',
      ],
      [
        'HS256 keyed with the public key',
        await new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: issuerKey.kid })
          .sign(publicSecret),
        'token-algorithm-refused',
      ],
      [
        'a stranger’s key under our kid',
        await signed(claims(), stranger),
        'token-signature-refused',
      ],
      [
        'an unknown kid',
        await signed(claims(), stranger, { kid: 'nobody' }),
        'token-signature-refused',
      ],
      [
        'payload tampered',
        `${header}.${encode({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), party: 'lessor-b' })}.${signature}`,
        'token-signature-refused',
      ],
      ['garbage', 'not.a.jwt', 'token-malformed'],
      ['forbidden characters', 'ey<script>', 'token-malformed'],
      ['no roles', await signed({ ...claims(), roles: undefined }), 'token-invalid-claims'],
    ];
    for (const [name, token, code] of cases) {
      const answer = await app.request('GET', '/v1/parties', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect({ name, status: answer.status, code: answer.body.code }).toEqual({
        name,
        status: 401,
        code,
      });
      expect(answer.headers.get('content-type')).toContain(OUR_ANSWER);
      expect(answer.headers.get('www-authenticate')).toBe(
        'Bearer realm="battery-keys", error="invalid_token"',
      );
      expect({ name, detail: answer.body.detail }).not.toEqual({
        name,
        detail: expect.stringMatching(JOSE_INTERNALS),
      });
    }
    expect(
      (await app.request('GET', '/v1/parties', { headers: { authorization: `Bearer ${valid}` } }))
        .status,
    ).not.toBe(401);
  });

  it('tells an unreachable identity provider (503, ours to fix) from a refused token (401)', async () => {
    const unreachable = TokenVerifier.withRemoteJwks('http://127.0.0.1:9/jwks.json', {
      issuer: 'urn:battery-keys:local-issuer',
      audience: 'battery-keys',
      algorithms: ['ES256'],
    });
    const token = (await app.caller('pia', 'lessor-a', ['owner-admin'])).token;
    await expect(unreachable.verify(token)).rejects.toBeInstanceOf(TokenKeysUnavailableError);
    await expect(unreachable.verify('not.a.jwt')).rejects.toMatchObject({ reason: 'malformed' });
  });

  it('challenges a request without a Bearer token, without an error code', async () => {
    for (const headers of [{}, { authorization: 'Basic YWxpY2U6c2VjcmV0' }] as Record<
      string,
      string
    >[]) {
      const answer = await app.request('GET', '/v1/parties', { headers });
      expect(answer).toMatchObject({ status: 401, body: { code: 'token-missing' } });
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="battery-keys"');
    }
  });

  it('answers headers too large for the HTTP parser as problem+json 431', async () => {
    const answer = await new Promise<{ status: number; type: string; body: string }>(
      (resolve, reject) => {
        const request = httpRequest(
          `${app.baseUrl}/v1/parties`,
          { headers: { 'x-filler': 'a'.repeat(64 * 1024) } },
          (response) => {
            let body = '';
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                type: String(response.headers['content-type']),
                body,
              }),
            );
          },
        );
        request.on('error', reject);
        request.end();
      },
    );
    expect(answer.status).toBe(431);
    expect(answer.type).toBe(OUR_ANSWER);
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 431,
      code: 'request-header-fields-too-large',
      title: 'Request Header Fields Too Large',
    });
    expect((await app.request('GET', '/health')).status).toBe(200);
  });
});

describe('A log reader collects device proofs and idempotency keys', () => {
  let app: TestApp;
  let cast: Cast;
  let device: TestDevice;
  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    device = await provisionDevice(app, cast, 'SN-LOGGED');
  });
  afterAll(async () => app.stop());

  it('writes requests to the log without their Authorization, Device-Proof, Idempotency-Key or Cookie', async () => {
    const idempotencyKey = `idem-${randomBytes(12).toString('hex')}`;
    const cookie = `session=${randomBytes(12).toString('hex')}`;
    const proof = await genuineProof(app, device);
    const bogusProof = `${randomBytes(24).toString('base64url')}.${randomBytes(24).toString('base64url')}.${randomBytes(24).toString('base64url')}`;
    const logBefore = mockLog.length;

    expect(
      (
        await app.request('GET', bundlePath('SN-LOGGED'), {
          headers: { 'device-proof': proof, cookie },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await app.request('GET', bundlePath('SN-LOGGED'), {
          headers: { 'device-proof': bogusProof },
        })
      ).status,
    ).toBe(401);
    const registered = await app.request('POST', '/v1/parties', {
      as: cast.platform,
      body: { partyId: 'logged-party', name: 'Logged', kind: 'lessor' },
      headers: { 'idempotency-key': idempotencyKey, cookie },
    });
    expect(registered.status).toBe(201);

    const written = mockLog.slice(logBefore).join('');
    // The requests were logged (so the test reads the right thing), their secrets were not.
    expect(written).toContain('/v1/devices/SN-LOGGED/bundle');
    expect(written).toContain('/v1/parties');
    expect(written).toContain('[Redacted]');
    for (const secret of [
      proof,
      ...proof.split('.'),
      bogusProof,
      idempotencyKey,
      cookie,
      cast.platform.token,
      cast.platform.token.split('.')[2],
    ]) {
      expect(written).not.toContain(secret);
    }
  });
});

describe('None of these attacks', () => {
  it('produced a 5xx answer or an error-level log line', () => {
    const entries = mockLog
      .flatMap((chunk) => chunk.split('\n'))
      .filter(Boolean)
      .map(
        (line) => JSON.parse(line) as { level: number; res?: { statusCode: number }; msg?: string },
      );
    expect(entries.filter((entry) => entry.res).length).toBeGreaterThan(100);
    expect(entries.filter((entry) => (entry.res?.statusCode ?? 0) >= 500)).toEqual([]);
    expect(entries.filter((entry) => entry.level >= 50).map((entry) => entry.msg)).toEqual([]);
  });
});
