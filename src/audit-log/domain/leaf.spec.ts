import { createHash } from 'node:crypto';
import { leafHashOf, leafText } from './leaf';

describe('A leaf: the RFC 8785 canonical JSON of one recorded event', () => {
  const event = {
    stream: 'battery-BK-0001',
    revision: 3,
    eventId: '0b0f5c1e-6a0c-4d3e-9d51-6c1e2b7a9f00',
    type: 'KeyIssued',
    data: { z: 1, a: [1.5, 'é', { y: null, b: true }], big: 1e21 },
    metadata: { occurredAt: '2026-01-01T00:00:00.000Z', actor: { role: 'owner', personId: 'p' } },
  };

  it('given an event, when encoded, then members are sorted at every depth and numbers are ES6-serialised', () => {
    expect(leafText(event)).toBe(
      '{"data":{"a":[1.5,"é",{"b":true,"y":null}],"big":1e+21,"z":1},"eventId":"0b0f5c1e-6a0c-4d3e-9d51-6c1e2b7a9f00",' +
        '"metadata":{"actor":{"personId":"p","role":"owner"},"occurredAt":"2026-01-01T00:00:00.000Z"},' +
        '"revision":3,"stream":"battery-BK-0001","type":"KeyIssued"}',
    );
  });

  it('given the same event with its members in another order, then the leaf hash is the same', () => {
    const reordered = {
      metadata: { actor: { personId: 'p', role: 'owner' }, occurredAt: '2026-01-01T00:00:00.000Z' },
      type: event.type,
      data: { big: 1e21, a: [1.5, 'é', { b: true, y: null }], z: 1 },
      eventId: event.eventId,
      revision: 3,
      stream: event.stream,
    };
    expect(Buffer.from(leafHashOf(reordered)).toString('hex')).toBe(
      Buffer.from(leafHashOf(event)).toString('hex'),
    );
  });

  it('hashes SHA-256(0x00 ‖ UTF-8 bytes of the text)', () => {
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.of(0), Buffer.from(leafText(event), 'utf8')]))
      .digest('hex');
    expect(Buffer.from(leafHashOf(event)).toString('hex')).toBe(expected);
  });

  it('keeps nothing but the six members (a store position or commit time never reaches the leaf)', () => {
    const withExtras = { ...event, position: 12n, recordedAt: new Date() } as typeof event;
    expect(leafText(withExtras)).toBe(leafText(event));
  });
});
