import { trace, type ProxyTracerProvider } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setTracingActive } from './spans';

export interface TracingOptions {
  /** `service.name` of every span (OTEL_SERVICE_NAME). */
  serviceName: string;
  /**
   * Where spans go instead of the OTLP exporter the environment configures
   * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, …): tests pass an in-memory one.
   */
  spanProcessors?: SpanProcessor[];
}

/** Probes and scrapes every few seconds would be most of the traces and tell nothing. */
const UNTRACED_PATHS = /^\/(?:health|metrics)(?:[/?]|$)/;
const untraced = (url: string | undefined) => UNTRACED_PATHS.test(url ?? '');

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry: the W3C trace-context propagator (a caller's `traceparent` is honoured,
 * and passed on to the store's gRPC calls and outgoing HTTP), the HTTP, gRPC and Fastify
 * instrumentations, and the exporter. It must run before Node's `http`, `@grpc/grpc-js` and
 * Fastify are loaded (src/tracing.ts, first in main.ts), since the instrumentations hook their
 * loading. Traces only: metrics are Prometheus's (src/metrics), logs stay pino's.
 */
export function startTracing(options: TracingOptions): void {
  if (sdk) return;
  // Required here, not imported at the top: with tracing off none of the SDK is even loaded.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { GrpcInstrumentation } =
    require('@opentelemetry/instrumentation-grpc') as typeof import('@opentelemetry/instrumentation-grpc');
  const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof import('@fastify/otel');
  /* eslint-enable @typescript-eslint/no-require-imports */
  sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors: options.spanProcessors,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => untraced(request.url),
      }),
      new GrpcInstrumentation(),
      // A span per request with its route template; none per hook (five hooks on every request
      // would be five spans that say nothing), none per handler (the command span is the work).
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        instrumentHandler: false,
        ignorePaths: ({ url }: { url: string }) => untraced(url),
      }),
    ],
  });
  sdk.start();
  setTracingActive(true);
}

/** Sends the spans still buffered (at shutdown, so the last requests' traces are not lost). */
export async function flushTracing(): Promise<void> {
  if (!sdk) return;
  const provider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as {
    forceFlush?: () => Promise<void>;
  };
  await provider.forceFlush?.();
}

/** Stops tracing and unregisters the SDK (tests; the process's own exit only flushes). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  setTracingActive(false);
  await running?.shutdown();
}
