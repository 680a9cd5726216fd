import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, createLocalJWKSet, jwtVerify } from 'jose';
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../openapi/schema';
import { contractOf } from '../../src/http/openapi/api-contract.decorator';
import { OPENAPI_JSON_PATH } from '../../src/http/openapi/openapi-artefacts';
import { PROBLEM_CONTENT_TYPE } from '../../src/http/problem-details';
import { problemSchema } from '../../src/http/openapi/problem.schema';
import { identityOf } from '../../src/device-simulator/simulated-fleet';
import { createDeviceProofSync } from '../../src/device-verifier/device-proof';
import { TestApp, type Caller } from '../support/test-app';

/**
 * The README's lifecycle driven through a client typed from the committed contract
 * (openapi/schema.d.ts, generated from openapi/openapi.json). Drift fails the build three ways:
 * a request the types no longer allow fails `tsc --noEmit`; an answer whose status the document
 * does not list for the operation, or whose body does not parse with the (strict) zod schema the
 * document was generated from, fails here; and the committed files must be what the code
 * generates now (last test).
 */

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { operationId: string; responses: Record<string, unknown> }>
  >;
}
const EXPORT_SCRIPT = 'src/http/openapi/export-openapi.ts';
const committed = JSON.parse(readFileSync(OPENAPI_JSON_PATH, 'utf8')) as OpenApiDocument;

/** Checks one answer against the contract of the operation it came from. */
function expectContract(
  operationId: string,
  answer: { response: Response; data?: unknown; error?: unknown },
): void {
  const { status } = answer.response;
  const operation = Object.values(committed.paths)
    .flatMap((item) => Object.values(item))
    .find((candidate) => candidate.operationId === operationId);
  if (!operation) throw new Error(`${operationId} is not in ${OPENAPI_JSON_PATH}`);
  expect({ operationId, status, documented: String(status) in operation.responses }).toEqual({
    operationId,
    status,
    documented: true,
  });
  const contract = contractOf(operationId);
  if (!contract) throw new Error(`${operationId} has no @ApiContract`);
  const type = answer.response.headers.get('content-type') ?? '';
  if (status >= 400) {
    expect(type).toContain(PROBLEM_CONTENT_TYPE);
    problemSchema.parse(answer.error);
    return;
  }
  const declared = contract.responses.find((response) => response.status === status);
  if (!declared?.body) return;
  expect(type).toContain(declared.mediaType ?? 'application/json');
  if (declared.body === 'text') expect(typeof answer.data).toBe('string');
  else declared.body.parse(answer.data);
}

describe('typed client (openapi-fetch over openapi/schema.d.ts) against the real app', () => {
  let app: TestApp;
  let api: Client<paths>;
  const as = (caller: Caller) => ({ authorization: `Bearer ${caller.token}` });

  beforeAll(async () => {
    app = await TestApp.start();
    api = createClient<paths>({ baseUrl: app.baseUrl });
  });
  afterAll(async () => app.stop());

  it('drives the lifecycle: parties, provision, key, transfer, accept, state, history, bundles, a refusal', async () => {
    const platform = await app.caller('pat', 'platform', ['platform-admin']);
    const oem = await app.caller('olga', 'oem', ['provisioner']);
    const lessorA = await app.caller('alice', 'lessor-a', ['owner-admin']);
    const lessorB = await app.caller('bob', 'lessor-b', ['owner-admin']);

    // 1. The parties.
    for (const [partyId, kind] of [
      ['oem', 'manufacturer'],
      ['lessor-a', 'lessor'],
      ['lessor-b', 'lessor'],
      ['workshop', 'service-provider'],
    ] as const) {
      const registered = await api.POST('/v1/parties', {
        headers: as(platform),
        body: { partyId, name: partyId.toUpperCase(), kind },
      });
      expectContract('registerParty', registered);
      expect(registered.response.status).toBe(201);
    }
    const party = await api.GET('/v1/parties/{partyId}', {
      headers: as(lessorA),
      params: { path: { partyId: 'lessor-b' } },
    });
    expectContract('getParty', party);
    expect(party.data?.kind).toBe('lessor');

    // 2. Provision, with the device key whose private half the battery keeps.
    const device = await generateKeyPair('ES256', { extractable: true });
    const devicePrivateJwk = await exportJWK(device.privateKey);
    const deviceKey = (await exportJWK(device.publicKey)) as {
      kty: 'EC';
      crv: 'P-256';
      x: string;
      y: string;
    };
    const provisioned = await api.POST('/v1/batteries', {
      headers: as(oem),
      body: {
        serial: 'TT2-0001',
        model: 'T2-48V',
        chemistry: 'NMC',
        manufacturerId: 'oem',
        firstOwnerId: 'lessor-a',
        hardLimits: {
          cellVoltageMinV: 2.8,
          cellVoltageMaxV: 4.25,
          chargeCurrentMaxA: 100,
          dischargeCurrentMaxA: 200,
          temperatureMinC: -20,
          temperatureMaxC: 60,
        },
        deviceKey: { kty: 'EC', crv: 'P-256', x: deviceKey.x, y: deviceKey.y },
      },
    });
    expectContract('provisionBattery', provisioned);
    expect(provisioned.data?.events.map((event) => event.type)).toEqual(['BatteryProvisioned']);

    // 3. A technician key, with an Idempotency-Key: the retry answers the same, recording nothing.
    const technicianKey = await exportJWK((await generateKeyPair('EdDSA')).publicKey);
    const notAfter = new Date(Date.now() + 365 * 86_400_000).toISOString();
    const issue = () =>
      api.POST('/v1/batteries/{serial}/keys', {
        headers: { ...as(lessorA), 'Idempotency-Key': 'tom-diag-1' },
        params: { path: { serial: 'TT2-0001' } },
        body: {
          keyId: 'tom-diag',
          holder: { personId: 'tom', partyId: 'workshop' },
          publicKey: { kty: 'OKP', crv: 'Ed25519', x: technicianKey.x as string },
          capabilities: ['diagnostics.read', 'faults.reset'],
          notAfter,
        },
      });
    const issued = await issue();
    expectContract('issueKey', issued);
    expect(issued.response.status).toBe(201);
    const retried = await issue();
    expectContract('issueKey', retried);
    expect(retried.data).toEqual({ ...issued.data, replayed: true });

    // 4. Transfer to lessor B, who accepts: the old owner's key is revoked in the same write.
    const requested = await api.POST('/v1/batteries/{serial}/transfers', {
      headers: as(lessorA),
      params: { path: { serial: 'TT2-0001' } },
      body: { toOwnerId: 'lessor-b', transferId: 'q4-sale', reason: 'Q4 portfolio sale' },
    });
    expectContract('requestTransfer', requested);
    const accepted = await api.POST('/v1/batteries/{serial}/transfers/{transferId}/accept', {
      headers: as(lessorB),
      params: { path: { serial: 'TT2-0001', transferId: 'q4-sale' } },
    });
    expectContract('acceptTransfer', accepted);
    expect(accepted.data?.events.map((event) => event.type)).toEqual([
      'OwnershipTransferAccepted',
      'KeyRevoked',
      'OwnershipTransferred',
    ]);

    // 5. State (read at the accept's position), history.
    const state = await api.GET('/v1/batteries/{serial}', {
      headers: { ...as(lessorB), 'X-Min-Position': accepted.data?.position ?? '0' },
      params: { path: { serial: 'TT2-0001' } },
    });
    expectContract('getBattery', state);
    expect(state.data).toMatchObject({ ownerId: 'lessor-b', keys: [], openTransfer: null });
    expect(state.response.headers.get('etag')).toBe(`"${accepted.data?.revision}"`);
    const history = await api.GET('/v1/batteries/{serial}/history', {
      headers: as(lessorB),
      params: { path: { serial: 'TT2-0001' }, query: { limit: 50 } },
    });
    expectContract('getBatteryHistory', history);
    expect(history.data?.items.map((entry) => entry.type)).toEqual([
      'BatteryProvisioned',
      'KeyIssued',
      'OwnershipTransferRequested',
      'OwnershipTransferAccepted',
      'KeyRevoked',
      'OwnershipTransferred',
    ]);

    // 6. The signed bundle a person pulls: a JWS the published keys verify; 304 when unchanged.
    const bundle = await api.GET('/v1/batteries/{serial}/bundle', {
      headers: as(lessorB),
      params: { path: { serial: 'TT2-0001' } },
      parseAs: 'text',
    });
    expectContract('getBundle', bundle);
    const jwks = await api.GET('/.well-known/jwks.json');
    expectContract('getJwks', jwks);
    const verified = await jwtVerify(
      bundle.data as string,
      createLocalJWKSet({ keys: jwks.data?.keys ?? [] }),
      { subject: 'TT2-0001' },
    );
    expect(verified.payload.owner).toBeDefined();
    const unchanged = await api.GET('/v1/batteries/{serial}/bundle', {
      headers: { ...as(lessorB), 'If-None-Match': bundle.response.headers.get('etag') ?? '' },
      params: { path: { serial: 'TT2-0001' } },
      parseAs: 'text',
    });
    expectContract('getBundle', unchanged);
    expect(unchanged.response.status).toBe(304);

    // 7. The battery pulls its own bundle with its Device-Proof, and acknowledges it.
    const identity = identityOf({ serial: 'TT2-0001', privateJwk: devicePrivateJwk });
    const proofFor = (method: string, path: string, ack?: { ver: number; iat: number }) =>
      createDeviceProofSync(identity, {
        method,
        url: `${app.baseUrl}${path}`,
        now: Math.floor(Date.now() / 1000),
        ...(ack ? { ack } : {}),
      });
    const pulled = await api.GET('/v1/devices/{serial}/bundle', {
      headers: { 'Device-Proof': proofFor('GET', '/v1/devices/TT2-0001/bundle') },
      params: { path: { serial: 'TT2-0001' } },
    });
    expectContract('pullDeviceBundle', pulled);
    const claims = (
      await jwtVerify(pulled.data?.bundle ?? '', createLocalJWKSet(jwks.data as never))
    ).payload as { ver: number; iat: number };
    const ack = { ver: claims.ver, iat: claims.iat };
    const acknowledged = await api.POST('/v1/devices/{serial}/acknowledgements', {
      headers: { 'Device-Proof': proofFor('POST', '/v1/devices/TT2-0001/acknowledgements', ack) },
      params: { path: { serial: 'TT2-0001' } },
      body: ack,
    });
    expectContract('acknowledgeBundle', acknowledged);
    expect(acknowledged.data?.events.map((event) => event.type)).toEqual(['BundleApplied']);

    // 8. Refusals, as problem+json: the former owner is now unrelated (404, as for an unknown
    // serial); a malformed serial is 400 naming the field; no token is 401.
    const refused = await api.POST('/v1/batteries/{serial}/keys/{keyId}/revoke', {
      headers: as(lessorA),
      params: { path: { serial: 'TT2-0001', keyId: 'tom-diag' } },
      body: { reason: 'former owner tries' },
    });
    expectContract('revokeKey', refused);
    expect(refused.error).toMatchObject({ status: 404, code: 'battery-not-found' });
    const malformed = await api.GET('/v1/batteries/{serial}', {
      headers: as(lessorB),
      params: { path: { serial: 'tt2 lower case' } },
    });
    expectContract('getBattery', malformed);
    expect(malformed.error).toMatchObject({ status: 400, code: 'invalid-request' });
    expect(malformed.error?.errors?.[0]?.path).toBe('serial');
    const anonymous = await api.GET('/v1/policy');
    expectContract('getPolicy', anonymous);
    expect(anonymous.error?.code).toBe('token-missing');
  });

  // A child process: Prettier, which renders both files, loads its parsers with import(), which
  // jest's module system does not offer. `--check` writes nothing and fails on any difference.
  it('the committed openapi/openapi.json and openapi/schema.d.ts are what the code generates now', () => {
    const check = spawnSync(
      process.execPath,
      [require.resolve('ts-node/dist/bin'), '--transpile-only', EXPORT_SCRIPT, '--check'],
      { encoding: 'utf8', timeout: 150_000 },
    );
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  }, 180_000);

  it('serves the same document at /docs/openapi.json', async () => {
    const served = await fetch(`${app.baseUrl}/docs/openapi.json`);
    expect(await served.json()).toEqual(committed);
  });
});
