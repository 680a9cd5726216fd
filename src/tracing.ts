/**
 * Loaded by main.ts before anything else: OpenTelemetry's instrumentations hook the loading of
 * `http`, `@grpc/grpc-js` and Fastify, so they must be registered before Nest or the store's
 * client is required. Off (nothing of the SDK loaded) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
 * A configuration error is left to main.ts, which reports it in one line.
 */
import { loadAppConfig, type AppConfig } from './config/app-config';
import { startTracing } from './tracing/sdk';

let config: AppConfig | undefined;
try {
  config = loadAppConfig(process.env);
} catch {
  config = undefined;
}
if (config?.OTEL_EXPORTER_OTLP_ENDPOINT) startTracing({ serviceName: config.OTEL_SERVICE_NAME });
