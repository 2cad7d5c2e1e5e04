import {
  INVALID_SPAN_CONTEXT,
  context,
  metrics,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** An exporter that drops every span, successfully: the SDK's work without a collector's. */
class DiscardingExporter extends InMemorySpanExporter {
  override export(
    _spans: ReadableSpan[],
    done: Parameters<InMemorySpanExporter['export']>[1],
  ): void {
    super.export([], done);
  }
}

/** A metric reader that is never read: instruments aggregate, nothing is exported. */
class IdleReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A tracer provider that switches between a real SDK tracer and none: the global provider can be
 * registered once, and the API's proxy tracer keeps the tracer it got.
 */
function switchableTracing(real: TracerProvider): { provider: TracerProvider; on: boolean } {
  const state = { on: false, provider: undefined as unknown as TracerProvider };
  const tracers = new Map<string, Tracer>();
  state.provider = {
    getTracer: (name, version) => {
      const key = `${name}@${version ?? ''}`;
      let tracer = tracers.get(key);
      if (!tracer) {
        const on = real.getTracer(name, version);
        tracer = {
          // Off, what the API's no-op tracer gives without a context manager: an invalid span.
          startSpan: (spanName: string, options?: SpanOptions, ctx?: Context): Span =>
            state.on
              ? on.startSpan(spanName, options, ctx)
              : trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
          startActiveSpan: ((...args: Parameters<Tracer['startActiveSpan']>) =>
            (on.startActiveSpan as (...a: unknown[]) => unknown)(
              ...args,
            )) as Tracer['startActiveSpan'],
        };
        tracers.set(key, tracer);
      }
      return tracer;
    },
  };
  return state;
}

/**
 * Registers a switchable OpenTelemetry SDK, and returns its switch: on, a tracer provider with a
 * batch processor and a discarding exporter, a meter provider and the AsyncLocalStorage context
 * manager; off, the API's no-ops. Call it before the service is built.
 */
export function telemetrySwitch(): (on: boolean) => void {
  const tracing = switchableTracing(
    new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new DiscardingExporter())] }),
  );
  trace.setGlobalTracerProvider(tracing.provider);
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  return (on) => {
    tracing.on = on;
    context.disable();
    metrics.disable();
    if (on) {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      metrics.setGlobalMeterProvider(meterProvider);
    }
  };
}
