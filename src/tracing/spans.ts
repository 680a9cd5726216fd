import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

/**
 * Spans the service makes itself (a command, an event-store call), on top of what the HTTP,
 * Fastify and gRPC instrumentations make. Off unless tracing was started (src/tracing.ts), and
 * then not even a no-op span is made: the hot paths pay one boolean test.
 */
let tracing = false;

/** Called once an OpenTelemetry SDK is registered (or stopped). */
export function setTracingActive(active: boolean): void {
  tracing = active;
}

export function tracingActive(): boolean {
  return tracing;
}

/** The API's proxy tracer: it follows whichever provider is registered, so one is enough. */
const tracer = trace.getTracer('battery-keys');

export interface SpanOptions {
  attributes?: Attributes;
  /** Whether an error the work throws marks the span as failed (a refusal by a rule does not). */
  isFailure?: (error: unknown) => boolean;
}

/**
 * Runs `work` inside a new active span (a child of whatever span is current, so the store calls a
 * command makes nest under it), ending it when the work settles. Without tracing, runs `work`
 * with no span.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracing) return work(undefined);
  return tracer.startActiveSpan(name, { attributes: options.attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      if (options.isFailure?.(error) ?? true) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}
