import { createDeviceProof, verifyBundle } from '../../src/device-verifier';
import { pullBundleOnce } from '../../src/device-simulator';
import { issueKey, registerCast, type Cast } from '../support/fleet-scenario';
import { TestApp, type TestResponse } from '../support/test-app';
import { provisionDevice, type TestDevice } from './support/device-harness';

const now = () => Math.floor(Date.now() / 1000);

/**
 * Which answer wins when an acknowledgement breaks more than one rule: the order of
 * docs/key-bundle.md, "Acknowledgement: which answer wins", rule by rule, on a running service.
 */
describe('acknowledgement precedence (docs/key-bundle.md): the documented answer when rules collide', () => {
  let app: TestApp;
  let cast: Cast;
  let device: TestDevice;
  const serial = 'SN-ACK-ORDER';
  const path = `/v1/devices/${serial}/acknowledgements`;
  /** The bundles the device applied, oldest first, and the service's first answer to each. */
  const applied: { ver: number; iat: number; answer: TestResponse }[] = [];

  /** An acknowledgement as a device sends it: a fresh proof unless one is given, the body as given. */
  async function acknowledge(
    ack: { ver: number; iat: number },
    options: { proof?: string; rawBody?: string } = {},
  ): Promise<TestResponse & { proof: string }> {
    const proof =
      options.proof ??
      (await createDeviceProof(device.identity, {
        method: 'POST',
        url: `${app.baseUrl}${path}`,
        now: now(),
        ack,
      }));
    const response = await app.request('POST', path, {
      rawBody: options.rawBody ?? JSON.stringify(ack),
      headers: { 'device-proof': proof },
    });
    return { ...response, proof };
  }

  async function pullAndApply(): Promise<{ ver: number; iat: number }> {
    const pulled = await pullBundleOnce({ baseUrl: app.baseUrl, device: device.identity });
    const verdict = await verifyBundle(
      pulled.envelope,
      device.profile,
      device.initialState(),
      now(),
    );
    if (!verdict.accepted) throw new Error(verdict.reason);
    return { ver: verdict.claims.ver, iat: verdict.claims.iat };
  }

  const history = async () =>
    (await app.request('GET', `/v1/devices/${serial}/history`, { as: cast.ownerA })).body
      .items as unknown[];

  beforeAll(async () => {
    app = await TestApp.start();
    cast = await registerCast(app);
    device = await provisionDevice(app, cast, serial);
    // Version 1 applied and acknowledged, then version 2 (a key issued) applied and acknowledged.
    for (let version = 1; version <= 2; version++) {
      if (version === 2)
        await issueKey(app, cast.ownerA, serial, { personId: 'tom', partyId: 'workshop' }, [
          'charge',
        ]);
      const bundle = await pullAndApply();
      const answer = await acknowledge(bundle);
      expect(answer).toMatchObject({ status: 201, body: { replayed: false } });
      applied.push({ ...bundle, answer });
    }
    expect(applied.map((bundle) => bundle.ver)).toEqual([1, 2]);
  });
  afterAll(async () => app.stop());

  it('a repeat of an earlier acknowledgement that is also older than the last gets the first answer again (201, replayed), not 409', async () => {
    const [first] = applied;
    const repeat = await acknowledge({ ver: first.ver, iat: first.iat });

    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual({ ...first.answer.body, replayed: true });
    expect(await history()).toHaveLength(2);
    // The device's latest acknowledgement is still version 2: a repeat never moves it back.
    const sync = await app.request('GET', `/v1/devices/${serial}/sync`, { as: cast.ownerA });
    expect(sync.body).toMatchObject({ applied: { ver: 2, iat: applied[1].iat } });
  });

  it('the same repeat with the same proof (same jti) is refused as a replayed proof first (401), whatever the body says', async () => {
    const [first] = applied;
    const sent = await acknowledge({ ver: first.ver, iat: first.iat });
    expect(sent.status).toBe(201);
    const again = await acknowledge({ ver: first.ver, iat: first.iat }, { proof: sent.proof });
    expect(again).toMatchObject({ status: 401, body: { code: 'device-proof-replayed' } });
    expect(again.headers.get('www-authenticate')).toBe('DeviceProof error="device-proof-replayed"');
  });

  it('an older acknowledgement that is not a repeat (same ver, another iat) is 409 acknowledgement-older-than-last', async () => {
    const [first] = applied;
    // Version 1 re-signed one second later: a bundle the service could have served, never acknowledged.
    const older = await acknowledge({ ver: first.ver, iat: first.iat + 1 });
    expect(older).toMatchObject({
      status: 409,
      body: {
        code: 'acknowledgement-older-than-last',
        acknowledged: { ver: 2, iat: applied[1].iat },
      },
    });
    expect(await history()).toHaveLength(2);
  });

  it('an older acknowledgement of a bundle never served is 409 bundle-never-served: that check comes before the order', async () => {
    const older = await acknowledge({ ver: 1, iat: now() + 3600 });
    expect(older).toMatchObject({ status: 409, body: { code: 'bundle-never-served' } });
  });

  it('a repeat whose proof does not cover the body is 401 device-proof-ack-mismatch: the proof is checked before the repeat', async () => {
    const [first] = applied;
    const proof = await createDeviceProof(device.identity, {
      method: 'POST',
      url: `${app.baseUrl}${path}`,
      now: now(),
      ack: { ver: applied[1].ver, iat: applied[1].iat },
    });
    const mismatch = await acknowledge({ ver: first.ver, iat: first.iat }, { proof });
    expect(mismatch).toMatchObject({ status: 401, body: { code: 'device-proof-ack-mismatch' } });
  });

  it('a repeat of the last acknowledgement gets its first answer too', async () => {
    const last = applied[1];
    const repeat = await acknowledge({ ver: last.ver, iat: last.iat });
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual({ ...last.answer.body, replayed: true });
  });

  it('two copies of a new acknowledgement racing are recorded once: one is 201, the other its repeat, never 409 already-acknowledged', async () => {
    await issueKey(app, cast.ownerA, serial, { personId: 'ann', partyId: 'workshop' }, ['charge']);
    const bundle = await pullAndApply();
    expect(bundle.ver).toBe(3);
    const copies = await Promise.all([acknowledge(bundle), acknowledge(bundle)]);

    expect(copies.map((copy) => copy.status)).toEqual([201, 201]);
    expect(copies.map((copy) => copy.body.replayed).sort()).toEqual([false, true]);
    expect({ ...copies[0].body, replayed: null }).toEqual({ ...copies[1].body, replayed: null });
    expect(await history()).toHaveLength(3);
  });

  it('media type and JSON are judged before the proof, the proof before the body’s shape, the shape before the ack claim', async () => {
    const [first] = applied;
    const unproved = (body: string, contentType: string) =>
      app.request('POST', path, { rawBody: body, headers: { 'content-type': contentType } });
    expect(await unproved(`ver=${first.ver}`, 'text/plain')).toMatchObject({
      status: 415,
      body: { code: 'unsupported-media-type' },
    });
    expect(await unproved('{"ver":', 'application/json')).toMatchObject({
      status: 400,
      body: { code: 'bad-request' },
    });
    expect(await unproved(JSON.stringify(first), 'application/json')).toMatchObject({
      status: 401,
      body: { code: 'device-proof-missing' },
    });

    const ack = { ver: first.ver, iat: first.iat };
    const extraMember = JSON.stringify({ ...ack, note: 'x' });
    const shaped = await acknowledge(ack, { rawBody: extraMember });
    expect(shaped).toMatchObject({ status: 400, body: { code: 'invalid-request' } });
    expect(await acknowledge(ack, { proof: shaped.proof, rawBody: extraMember })).toMatchObject({
      status: 401,
      body: { code: 'device-proof-replayed' },
    });
    const notCovered = await acknowledge(
      { ver: first.ver, iat: first.iat + 1 },
      { rawBody: JSON.stringify({ ...ack, ver: 'one' }) },
    );
    expect(notCovered).toMatchObject({ status: 400, body: { code: 'invalid-request' } });
    expect(await history()).toHaveLength(3);
  });

  it('a repeat is the same (ver, iat), however the device orders the members of its JSON body', async () => {
    const [first] = applied;
    const reordered = await acknowledge(
      { ver: first.ver, iat: first.iat },
      { rawBody: `{"iat":${first.iat},"ver":${first.ver}}` },
    );
    expect(reordered.status).toBe(201);
    expect(reordered.body).toEqual({ ...first.answer.body, replayed: true });
  });
});
