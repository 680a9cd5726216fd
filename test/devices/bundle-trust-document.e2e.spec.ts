import { decodeJwt } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwkThumbprint, verifyBundle, type EcPublicJwk } from '../../src/device-verifier';
import { pullBundleOnce } from '../../src/device-simulator';
import { generatePrivateJwk, LocalEs256Key } from '../../src/signing/local-es256-key';
import { LOCAL_ROOT_KEY_FILE } from '../../src/signing/trust/local-trust';
import { readTrustFile, writeTrustFile } from '../../src/signing/trust/trust-file';
import { rotateRoot } from '../../src/signing/trust/trust-issuance';
import { registerCast } from '../support/fleet-scenario';
import { TestApp } from '../support/test-app';
import { BUNDLE_ISSUER, provisionDevice } from './support/device-harness';

const BEGIN = '<!-- bundle-trust-fields:begin';
const END = '<!-- bundle-trust-fields:end -->';

/** The field table of docs/key-bundle.md: path (`a.b`, `a[]` for elements) → documented type. */
function documentedFields(): Map<string, string> {
  const doc = readFileSync(join(__dirname, '../../docs/key-bundle.md'), 'utf8');
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error('docs/key-bundle.md lacks the field-table markers');
  const fields = new Map<string, string>();
  for (const [, path, type] of doc.slice(begin, end).matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm))
    fields.set(path, type.trim());
  return fields;
}

/** Every field of a JSON value, recursively, each with the JSON type it has there. */
function servedFields(value: unknown, prefix = '', into = new Map<string, Set<string>>()) {
  const note = (path: string, child: unknown) => {
    const types = into.get(path) ?? new Set<string>();
    types.add(jsonType(child));
    into.set(path, types);
    servedFields(child, path, into);
  };
  if (Array.isArray(value)) for (const element of value) note(`${prefix}[]`, element);
  else if (typeof value === 'object' && value !== null)
    for (const [key, child] of Object.entries(value))
      note(prefix ? `${prefix}.${key}` : key, child);
  return into;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The served fields, each with its type, in the table's words ("integer ≥ 1" is an integer). */
const servedTable = (document: unknown) =>
  Object.fromEntries([...servedFields(document)].map(([path, types]) => [path, [...types]]));
const documentedTable = (fields: Map<string, string>, without: string[] = []) =>
  Object.fromEntries(
    [...fields]
      .filter(([path]) => !without.includes(path))
      .map(([path, type]) => [path, [type.split(' ')[0]]]),
  );

describe('GET /.well-known/bundle-trust.json is exactly what docs/key-bundle.md documents', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(async () => app.stop());

  it('serves every documented field and no other, with the documented types, before and after a root rotation', async () => {
    const documented = documentedFields();
    expect(documented.size).toBeGreaterThanOrEqual(19);

    const before = await app.request('GET', '/.well-known/bundle-trust.json');
    expect(before.status).toBe(200);
    expect(before.headers.get('cache-control')).toBe('public, max-age=300');
    // No rotation yet: the chain is empty, so only its elements' row has nothing to match.
    expect(before.body.rootChain).toEqual([]);
    expect(servedTable(before.body)).toEqual(documentedTable(documented, ['rootChain[]']));
    expect(before.body.currentRoot).toEqual({ version: 1, ...before.body.firstRoot });

    // Rotate the root as an operator would (the old root signs the new one), then restart.
    const trustFile = join(app.dataDir, 'bundle-trust.json');
    const root1 = await LocalEs256Key.readFile(join(app.dataDir, LOCAL_ROOT_KEY_FILE));
    const root2 = await LocalEs256Key.fromPrivateJwk(await generatePrivateJwk());
    const trust = readTrustFile(trustFile);
    if (!trust) throw new Error('the service wrote no trust file');
    writeTrustFile(
      trustFile,
      await rotateRoot(trust, root1, root2, {
        issuer: BUNDLE_ISSUER,
        now: Math.floor(Date.now() / 1000),
      }),
    );
    await app.restart();

    const after = await app.request('GET', '/.well-known/bundle-trust.json');
    expect(after.status).toBe(200);
    expect(servedTable(after.body)).toEqual(documentedTable(documented));

    // What the table says of the values.
    const served = after.body as {
      firstRoot: { kid: string; jwk: EcPublicJwk };
      currentRoot: { version: number; kid: string; jwk: EcPublicJwk };
      rootChain: string[];
      delegation: string;
      delegationVersion: number;
    };
    expect(served.firstRoot).toEqual(before.body.firstRoot);
    expect(jwkThumbprint(served.firstRoot.jwk)).toBe(served.firstRoot.kid);
    expect(Object.keys(served.firstRoot.jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(served.currentRoot).toEqual({ version: 2, kid: root2.kid, jwk: root2.publicJwk });
    expect(jwkThumbprint(served.currentRoot.jwk)).toBe(served.currentRoot.kid);
    expect(served.currentRoot.version).toBe(1 + served.rootChain.length);
    const delegation = decodeJwt(served.delegation);
    expect(delegation).toMatchObject({ iss: BUNDLE_ISSUER, ver: served.delegationVersion });
    expect(served.delegationVersion).toBe(before.body.delegationVersion + 1);
  });

  it('a device pinned to firstRoot, or to currentRoot with its version, accepts its bundle after the rotation; currentRoot pinned as version 1 breaks the chain', async () => {
    const cast = await registerCast(app);
    const device = await provisionDevice(app, cast, 'SN-TRUST-DOC');
    const trust = (await app.request('GET', '/.well-known/bundle-trust.json')).body as {
      firstRoot: { kid: string; jwk: EcPublicJwk };
      currentRoot: { version: number; kid: string; jwk: EcPublicJwk };
    };
    const { version, kid, jwk } = trust.currentRoot;
    expect(version).toBeGreaterThan(1);
    const pulled = await pullBundleOnce({ baseUrl: app.baseUrl, device: device.identity });
    const now = Math.floor(Date.now() / 1000);
    const pinned = (root: { version: number; kid: string; jwk: EcPublicJwk }) =>
      verifyBundle(
        pulled.envelope,
        { ...device.profile, pinnedRoot: { kid: root.kid, jwk: root.jwk } },
        { ...device.initialState(), root },
        now,
      );

    expect(device.profile.pinnedRoot).toEqual(trust.firstRoot);
    expect(await pinned({ version: 1, ...trust.firstRoot })).toMatchObject({
      accepted: true,
      state: { root: { version, kid } },
    });
    expect(await pinned({ version, kid, jwk })).toMatchObject({
      accepted: true,
      state: { root: { version, kid } },
    });
    expect(await pinned({ version: 1, kid, jwk })).toMatchObject({
      accepted: false,
      reason: 'root-chain-broken',
    });
  });
});
