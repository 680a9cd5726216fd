import { randomBytes } from 'node:crypto';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { startTracing, stopTracing } from '../../src/tracing/sdk';
import { HARD_LIMITS, registerCast, type Cast } from '../support/fleet-scenario';
import { newPublicJwk, TestApp } from '../support/test-app';

/**
 * Tracing as main.ts starts it (src/tracing/sdk.ts), but exporting to memory: the SDK is started
 * before the app is created, as the preload does before Nest and Fastify load.
 */
describe('tracing: a request with a traceparent', () => {
  const exporter = new InMemorySpanExporter();
  let app: TestApp;
  let cast: Cast;

  beforeAll(async () => {
    startTracing({
      serviceName: 'battery-keys-test',
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    app = await TestApp.start();
    cast = await registerCast(app);
  });
  afterAll(async () => {
    await app.stop();
    await stopTracing();
  });

  /** The finished spans of one trace, once `name` is among them (spans end as the answer goes out). */
  async function spansOf(traceId: string, name: string): Promise<ReadableSpan[]> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      if (spans.some((s) => s.name === name)) return spans;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`No span ${name} in trace ${traceId}`);
  }

  /** Span ids from `span` up through its parents, as far as this trace's spans go, then the remote parent. */
  function ancestry(span: ReadableSpan, spans: ReadableSpan[]): string[] {
    const chain: string[] = [];
    let parentId = span.parentSpanContext?.spanId;
    while (parentId) {
      chain.push(parentId);
      parentId = spans.find((s) => s.spanContext().spanId === parentId)?.parentSpanContext?.spanId;
    }
    return chain;
  }

  it('joins the caller’s trace: the command span under the request, the store calls under the command', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const { publicJwk } = await newPublicJwk('ES256');
    const provisioned = await app.request('POST', '/v1/batteries', {
      as: cast.provisioner,
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: {
        serial: 'SN-TRACE',
        model: 'T2-48V',
        chemistry: 'NMC',
        manufacturerId: 'oem',
        firstOwnerId: 'lessor-a',
        hardLimits: HARD_LIMITS,
        deviceKey: publicJwk,
      },
    });
    expect(provisioned.status).toBe(201);

    const spans = await spansOf(traceId, 'request');
    const command = spans.find((s) => s.name === 'command ProvisionBattery');
    expect(command).toBeDefined();
    expect(command!.attributes).toMatchObject({
      'command.type': 'ProvisionBattery',
      'command.stream': 'battery-SN-TRACE',
      'command.result': 'applied',
      'command.revision': 0,
      'command.events': 1,
    });
    // The command runs inside the request's span, which continues the caller's.
    expect(ancestry(command!, spans).at(-1)).toBe(callerSpanId);
    const request = spans.find((s) => s.name === 'request');
    expect(request!.attributes['http.route']).toBe('/v1/batteries');
    expect(ancestry(command!, spans)).toContain(request!.spanContext().spanId);

    const append = spans.find((s) => s.name === 'event-store append');
    expect(append).toBeDefined();
    expect(append!.parentSpanContext?.spanId).toBe(command!.spanContext().spanId);
    expect(append!.attributes).toMatchObject({
      'event_store.stream': 'battery-SN-TRACE',
      'event_store.expected_revision': 'no_stream',
      'event_store.revision': 0,
    });
    // The command loads its stream under its own span; every store call of the request (the
    // controller's own look-ups too) belongs to the caller's trace.
    const reads = spans.filter((s) => s.name === 'event-store readStream');
    expect(
      reads.some((read) => ancestry(read, spans).includes(command!.spanContext().spanId)),
    ).toBe(true);
    for (const call of spans.filter((s) => s.name.startsWith('event-store ')))
      expect(ancestry(call, spans).at(-1)).toBe(callerSpanId);
  });

  it('marks a refusal on the command span without calling it a failure, and traces no probe', async () => {
    const traceId = randomBytes(16).toString('hex');
    const refused = await app.request('POST', '/v1/batteries/SN-NOWHERE/keys/k1/revoke', {
      as: cast.ownerA,
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: { reason: 'none' },
    });
    expect(refused.status).toBe(404);
    const spans = await spansOf(traceId, 'command RevokeKey');
    const command = spans.find((s) => s.name === 'command RevokeKey')!;
    expect(command.attributes).toMatchObject({
      'command.result': 'refused',
      'command.code': 'battery-not-found',
    });
    expect(command.status.code).not.toBe(2 /* SpanStatusCode.ERROR */);

    exporter.reset();
    expect((await app.request('GET', '/health/live')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exporter.getFinishedSpans().filter((s) => s.name === 'request')).toEqual([]);
  });
});
