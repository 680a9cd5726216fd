import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { RequestDrain } from './request-drain';

type OnRequest = (request: unknown, reply: { raw: ServerResponse }, done: () => void) => void;

function attached(): { drain: RequestDrain; request: (response: ServerResponse) => void } {
  const drain = new RequestDrain();
  let hook: OnRequest | undefined;
  drain.attach({
    addHook: (_name: string, handler: OnRequest) => (hook = handler),
  } as unknown as FastifyInstance);
  return { drain, request: (response) => hook?.({}, { raw: response }, () => undefined) };
}

const response = (state: Partial<ServerResponse>) => state as ServerResponse;
const held = (drain: RequestDrain) => (drain as unknown as { inFlight: Set<unknown> }).inFlight;

describe('RequestDrain', () => {
  it('holds no more than twice the responses really in flight, however many were answered', () => {
    const { drain, request } = attached();
    const open = Array.from({ length: 300 }, () => response({ writableFinished: false }));
    open.forEach(request);
    for (let i = 0; i < 100_000; i++) request(response({ writableFinished: true }));
    expect(held(drain).size).toBeLessThanOrEqual(2 * open.length + 1);
    for (const stillOpen of open) expect(held(drain).has(stillOpen)).toBe(true);
  });

  it('sweeps destroyed responses too (a client that went away)', () => {
    const { drain, request } = attached();
    for (let i = 0; i < 10_000; i++) request(response({ destroyed: true }));
    expect(held(drain).size).toBeLessThanOrEqual(256);
  });
});
