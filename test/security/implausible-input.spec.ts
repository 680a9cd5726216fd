import { HARD_LIMITS, registerCast, type Cast } from '../support/fleet-scenario';
import { newPublicJwk, TestApp } from '../support/test-app';

/** Issue 9, "also found": values that are typos or attacks, refused before they are burned in for ten years. */
describe('A provisioner or issuer slips in values no battery should carry', () => {
  let app: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
  });
  afterAll(async () => app.stop());

  const provision = async (overrides: Record<string, unknown>) =>
    app.request('POST', '/v1/batteries', {
      as: cast.provisioner,
      body: {
        serial: 'SN-ODD',
        model: 'T2',
        chemistry: 'NMC',
        manufacturerId: 'oem',
        firstOwnerId: 'lessor-a',
        hardLimits: HARD_LIMITS,
        deviceKey: (await newPublicJwk()).publicJwk,
        ...overrides,
      },
    });

  it('refuses hard limits no cell of the chemistry has (5e-324 V, 10 kA, 4.25 V for LFP)', async () => {
    for (const hardLimits of [
      { ...HARD_LIMITS, cellVoltageMinV: 5e-324 },
      { ...HARD_LIMITS, dischargeCurrentMaxA: 10_000 },
    ]) {
      expect(await provision({ hardLimits })).toMatchObject({
        status: 422,
        body: { code: 'hard-limits-implausible' },
      });
    }
    expect(await provision({ chemistry: 'LFP' })).toMatchObject({
      status: 422,
      body: { code: 'hard-limits-implausible' },
    });
    expect((await provision({ chemistry: 'plutonium' })).status).toBe(400);
  });

  it('keeps one spelling per serial: a lower-case twin of a serial is refused', async () => {
    expect((await provision({ serial: 'SN-CASE' })).status).toBe(201);
    expect((await provision({ serial: 'sn-case' })).status).toBe(400);
    expect((await app.request('GET', '/v1/batteries/sn-case', { as: cast.ownerA })).status).toBe(
      400,
    );
  });

  it('refuses a key valid until the year 9999', async () => {
    const answer = await app.request('POST', '/v1/batteries/SN-CASE/keys', {
      as: cast.ownerA,
      body: {
        holder: { personId: 'tom', partyId: 'workshop' },
        publicKey: (await newPublicJwk()).publicJwk,
        capabilities: ['diagnostics.read'],
        notAfter: '9999-12-31T00:00:00Z',
      },
    });
    expect(answer).toMatchObject({ status: 422, body: { code: 'key-lifetime-exceeded' } });
  });

  it('refuses a person id that poses as a battery', async () => {
    const answer = await app.request('POST', '/v1/batteries/SN-CASE/keys', {
      as: cast.ownerA,
      body: {
        holder: { personId: 'device:SN-CASE', partyId: 'workshop' },
        publicKey: (await newPublicJwk()).publicJwk,
        capabilities: ['diagnostics.read'],
        notAfter: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(answer.status).toBe(400);
  });
});
