import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { RequestDrain } from './request-drain';

type Hook = (request: unknown, reply: { raw: ServerResponse }, done: () => void) => void;

/** A drain attached to a stand-in for Fastify: `request` runs its onRequest hook, `answer` its onResponse. */
function attached() {
  const drain = new RequestDrain();
  const hooks = new Map<string, Hook>();
  drain.attach({
    addHook: (name: string, handler: Hook) => hooks.set(name, handler),
  } as unknown as FastifyInstance);
  const run = (name: string) => (response: ServerResponse) =>
    hooks.get(name)?.({}, { raw: response }, () => undefined);
  return { drain, request: run('onRequest'), answer: run('onResponse') };
}

const response = (state: Partial<ServerResponse>) => state as ServerResponse;
const held = (drain: RequestDrain) => (drain as unknown as { inFlight: Set<unknown> }).inFlight;

describe('RequestDrain', () => {
  it('lets an answered response go at once', () => {
    const { drain, request, answer } = attached();
    const answered = response({ writableFinished: false });
    request(answered);
    expect(held(drain).has(answered)).toBe(true);
    answer(answered);
    expect(held(drain).size).toBe(0);
  });

  it('holds no more than twice the responses really in flight, however many never got their answer hook', () => {
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
