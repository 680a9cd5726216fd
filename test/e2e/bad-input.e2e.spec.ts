import { SignJWT, base64url } from 'jose';
import { TestApp, newPublicJwk, type TestResponse } from '../support/test-app';
import { HARD_LIMITS, provision, registerCast, type Cast } from '../support/fleet-scenario';

/** Every refusal below must leave the store exactly as it was. */
describe('bad input and forbidden actors change nothing', () => {
  let app: TestApp;
  let cast: Cast;
  let validProvision: Record<string, unknown>;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    await provision(app, cast, 'SN-BASE');
    validProvision = {
      serial: 'SN-NEW',
      model: 'T2',
      chemistry: 'NMC',
      manufacturerId: 'oem',
      firstOwnerId: 'lessor-a',
      hardLimits: HARD_LIMITS,
      deviceKey: (await newPublicJwk('ES256')).publicJwk,
    };
  });
  afterAll(async () => app.stop());

  const auditCount = async () =>
    (await app.request('GET', '/v1/audit?limit=500', { as: cast.platform })).body.items.length;

  async function expectRefusedWithoutChange(
    status: number,
    send: () => Promise<TestResponse>,
    code?: string,
  ) {
    const before = await auditCount();
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status,
      type: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
    if (code) expect(response.body.code).toBe(code);
    expect(await auditCount()).toBe(before);
    return response;
  }

  it.each([
    ['an unknown field', { extra: true }],
    ['a missing field', { serial: undefined }],
    ['a wrong type', { hardLimits: { ...HARD_LIMITS, cellVoltageMaxV: '4.2' } }],
    ['a serial with a slash', { serial: 'SN/1' }],
    [
      'a private key as device key',
      { deviceKey: { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43), d: 'B'.repeat(43) } },
    ],
    ['an RSA device key', { deviceKey: { kty: 'RSA', n: 'abc', e: 'AQAB' } }],
    ['an absurd voltage', { hardLimits: { ...HARD_LIMITS, cellVoltageMaxV: 500 } }],
  ])('refuses provisioning with %s as 400 invalid-request', async (_name, change) => {
    await expectRefusedWithoutChange(
      400,
      () =>
        app.request('POST', '/v1/batteries', {
          as: cast.provisioner,
          body: { ...validProvision, ...change },
        }),
      'invalid-request',
    );
  });

  it('refuses a well-formed key that is no real key (a P-256 point not on the curve) as 422 weak-public-key', async () => {
    const offCurve = { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) };
    await expectRefusedWithoutChange(
      422,
      () =>
        app.request('POST', '/v1/batteries', {
          as: cast.provisioner,
          body: { ...validProvision, deviceKey: offCurve },
        }),
      'weak-public-key',
    );
  });

  it('names the offending fields', async () => {
    const response = await app.request('POST', '/v1/batteries', {
      as: cast.provisioner,
      body: { ...validProvision, extra: 1, serial: '' },
    });
    expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['serial']),
    );
  });

  it('refuses malformed JSON, a wrong media type and an oversized body', async () => {
    await expectRefusedWithoutChange(400, () =>
      app.request('POST', '/v1/batteries', { as: cast.provisioner, rawBody: '{"serial": ' }),
    );
    await expectRefusedWithoutChange(415, () =>
      app.request('POST', '/v1/batteries', {
        as: cast.provisioner,
        rawBody: 'serial=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    await expectRefusedWithoutChange(413, () =>
      app.request('POST', '/v1/batteries', {
        as: cast.provisioner,
        body: { ...validProvision, model: 'x'.repeat(100_000) },
      }),
    );
  });

  it('refuses references to unknown parties and unknown batteries', async () => {
    await expectRefusedWithoutChange(
      422,
      () =>
        app.request('POST', '/v1/batteries', {
          as: cast.provisioner,
          body: { ...validProvision, firstOwnerId: 'nobody' },
        }),
      'party-not-registered',
    );
    await expectRefusedWithoutChange(
      404,
      () => app.request('POST', '/v1/batteries/SN-NONE/theft-report', { as: cast.ownerA }),
      'battery-not-found',
    );
  });

  it('refuses malformed headers and query strings', async () => {
    await expectRefusedWithoutChange(400, () =>
      app.request('POST', '/v1/batteries/SN-BASE/theft-report', {
        as: cast.ownerA,
        headers: { 'if-match': 'three' },
      }),
    );
    await expectRefusedWithoutChange(400, () =>
      app.request('GET', '/v1/batteries?limit=100000', { as: cast.ownerA }),
    );
    await expectRefusedWithoutChange(400, () =>
      app.request('GET', '/v1/audit?from=yesterday', { as: cast.platform }),
    );
    // Positions beyond 64 bits cannot be bound in the store: refused at the edge, never a 500.
    await expectRefusedWithoutChange(400, () =>
      app.request('GET', '/v1/audit?cursor=9999999999999999999', { as: cast.platform }),
    );
    await expectRefusedWithoutChange(400, () =>
      app.request('GET', '/v1/batteries/SN-BASE/history?cursor=9999999999999999999', {
        as: cast.ownerA,
      }),
    );
    await expectRefusedWithoutChange(400, () =>
      app.request('GET', '/v1/parties', {
        as: cast.platform,
        headers: { 'x-min-position': '9999999999999999999' },
      }),
    );
  });

  it('refuses actors without the right role with 403, and unrelated parties with the 404 of an unknown serial', async () => {
    await expectRefusedWithoutChange(
      403,
      () => app.request('POST', '/v1/batteries', { as: cast.ownerA, body: validProvision }),
      'no-relationship',
    );
    await expectRefusedWithoutChange(
      422,
      () =>
        app.request('POST', '/v1/batteries', {
          as: cast.ownerA,
          body: { ...validProvision, manufacturerId: 'lessor-a' },
        }),
      'not-a-manufacturer',
    );
    await expectRefusedWithoutChange(
      404,
      () => app.request('POST', '/v1/batteries/SN-BASE/theft-report', { as: cast.ownerB }),
      'battery-not-found',
    );
    await expectRefusedWithoutChange(403, () =>
      app.request('POST', '/v1/parties', {
        as: cast.ownerA,
        body: { partyId: 'evil', name: 'Evil', kind: 'lessor' },
      }),
    );
    const driver = await app.caller('dan', 'lessor-a', ['driver']);
    await expectRefusedWithoutChange(
      403,
      () =>
        app.request('POST', '/v1/batteries/SN-BASE/transfers', {
          as: driver,
          body: { toOwnerId: 'lessor-b' },
        }),
      'role-required',
    );
    await expectRefusedWithoutChange(
      404,
      () => app.request('GET', '/v1/batteries/SN-BASE', { as: cast.outsider }),
      'battery-not-found',
    );
  });

  it('ignores any actor named in the body: the actor comes from the token', async () => {
    await expectRefusedWithoutChange(400, () =>
      app.request('POST', '/v1/batteries/SN-BASE/theft-report', {
        as: cast.ownerB,
        body: { actor: { personId: 'alice', partyId: 'lessor-a' } },
      }),
    );
  });

  it('answers 401 to missing, malformed, foreign, expired, mis-addressed and unsigned tokens', async () => {
    const tries: [string, Record<string, string>][] = [
      ['no token', {}],
      ['not bearer', { authorization: 'Basic YWxpY2U6c2VjcmV0' }],
      ['garbage', { authorization: 'Bearer not-a-jwt' }],
      [
        'wrong audience',
        {
          authorization: `Bearer ${(await app.caller('alice', 'lessor-a', ['owner-admin'], { audience: 'other-service' })).token}`,
        },
      ],
      [
        'wrong issuer',
        {
          authorization: `Bearer ${(await app.caller('alice', 'lessor-a', ['owner-admin'], { issuer: 'urn:evil' })).token}`,
        },
      ],
      [
        'expired',
        {
          authorization: `Bearer ${(await app.caller('alice', 'lessor-a', ['owner-admin'], { ttlSeconds: -10 as unknown as number })).token}`,
        },
      ],
    ];
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(
      JSON.stringify({
        sub: 'alice',
        party: 'lessor-a',
        roles: ['owner-admin'],
        iss: 'urn:battery-keys:local-issuer',
        aud: 'battery-keys',
        exp: 9999999999,
      }),
    );
    tries.push(['alg none', { authorization: `Bearer ${header}.${payload}.` }]);
    const foreignKey = new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256');
    const hs256 = await new SignJWT({ party: 'lessor-a', roles: ['owner-admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer('urn:battery-keys:local-issuer')
      .setAudience('battery-keys')
      .setExpirationTime('1h')
      .sign(foreignKey);
    tries.push(['HS256 with a guessed secret', { authorization: `Bearer ${hs256}` }]);
    for (const [name, headers] of tries) {
      const before = await auditCount();
      const response = await app.request('POST', '/v1/batteries/SN-BASE/theft-report', { headers });
      expect([name, response.status]).toEqual([name, 401]);
      expect(await auditCount()).toBe(before);
    }
  });
});

describe('bodies of field-less actions', () => {
  it('accepts an empty JSON body, and still refuses prototype poisoning', async () => {
    const app = await TestApp.start();
    try {
      const cast = await registerCast(app);
      await provision(app, cast, 'SN-EMPTY');
      const empty = await app.request('POST', '/v1/batteries/SN-EMPTY/theft-report', {
        as: cast.ownerA,
        rawBody: '',
        headers: { 'content-type': 'application/json' },
      });
      expect(empty.status).toBe(200);
      const poisoned = await app.request('POST', '/v1/batteries/SN-EMPTY/theft-report', {
        as: cast.ownerA,
        rawBody: '{"__proto__": {"admin": true}}',
      });
      expect(poisoned.status).toBe(400);
    } finally {
      await app.stop();
    }
  });
});
