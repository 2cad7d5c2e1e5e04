import { S3Client } from '@aws-sdk/client-s3';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { isTelemetryLive, openTelemetry } from './otel';
import { Telemetry } from './telemetry';
import { PullReader } from '../../../../test/support/pull-reader';

// The library's own copy of the API: providers are registered through it, one kind at a time.
const api = openTelemetry()!;
const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1' });
const telemetry = Telemetry.create({
  endpoint: 'http://127.0.0.1:1',
  client,
  transfersInFlight: () => 0,
})!;
const operation = () => ({ operation: 'getObject', bucket: 'media', key: 'a.txt' });

afterEach(() => {
  api.trace.disable();
  api.metrics.disable();
  api.context.disable();
  vi.restoreAllMocks();
});

describe('operations while nothing can record them', () => {
  it('skip their spans when no provider is registered and no context is active', async () => {
    const startSpan = vi.spyOn(api.ProxyTracer.prototype, 'startSpan');
    expect(isTelemetryLive(api)).toBe(false);
    expect(await telemetry.operation(operation(), () => Promise.resolve(42))).toBe(42);
    const failure = new Error('boom');
    await expect(telemetry.operation(operation(), () => Promise.reject(failure))).rejects.toBe(
      failure,
    );
    expect(startSpan).not.toHaveBeenCalled();
  });

  it('record spans as soon as a tracer provider is registered, after the service was made', async () => {
    const exporter = new InMemorySpanExporter();
    api.trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    expect(isTelemetryLive(api)).toBe(true);
    await telemetry.operation(operation(), () => Promise.resolve('ok'));
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['nest-bucket getObject']);
  });

  it('follow a tracer provider registered after `trace.disable()`, as test suites do', async () => {
    const first = new InMemorySpanExporter();
    const second = new InMemorySpanExporter();
    for (const exporter of [first, second]) {
      api.trace.disable();
      api.trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      );
      await telemetry.operation(operation(), () => Promise.resolve('ok'));
    }
    expect(first.getFinishedSpans()).toHaveLength(1);
    expect(second.getFinishedSpans()).toHaveLength(1);
  });

  it('record metrics when only a meter provider is registered', async () => {
    const reader = new PullReader();
    api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    expect(isTelemetryLive(api)).toBe(true);
    await telemetry.operation(operation(), () => Promise.resolve('ok'));
    const { resourceMetrics } = await reader.collect();
    const names = resourceMetrics.scopeMetrics.flatMap((scope) =>
      scope.metrics.map((metric) => metric.descriptor.name),
    );
    expect(names).toContain('nest_bucket.operation.duration');
  });

  it('run inside a context that a caller made active, even with no provider', () => {
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const key = api.createContextKey('caller');
    expect(isTelemetryLive(api)).toBe(false);
    api.context.with(api.ROOT_CONTEXT.setValue(key, 1), () => {
      expect(isTelemetryLive(api)).toBe(true);
    });
  });
});
