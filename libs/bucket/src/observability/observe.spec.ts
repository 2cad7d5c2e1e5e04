import { AsyncLocalStorage } from 'node:async_hooks';
import { BucketError } from '../bucket.errors';
import { inChildSpan, startChildSpan } from './child-span';
import {
  activeObserved,
  isObserveTracer,
  loadObserveTracerClass,
  observeTracerToken,
  startObservedSpan,
  type ObserveSpanDelegate,
  type ObserveTracer,
} from './observe';
import { ERROR_STATUS, type SpanState } from './span-state';

/** A span as the stand-in tracer records it. */
interface RecordedSpan {
  name: string;
  parent?: RecordedSpan;
  tags: Record<string, unknown>;
  /** `ok`, or the error that the callback threw. */
  outcome?: unknown;
}

/**
 * A tracer that behaves as `@nestjs/observe`'s `TracerService` does: `createSpan` throws outside a
 * trace, runs its callback in a context where the new span is the caller, and ends the span when
 * the callback settles.
 */
class StandInTracer implements ObserveTracer {
  readonly spans: RecordedSpan[] = [];
  private readonly current = new AsyncLocalStorage<{ traceId: string; span?: RecordedSpan }>();

  constructor(private readonly recorded = true) {}

  trace<T>(traceId: string, work: () => T): T {
    return this.current.run({ traceId }, work);
  }

  currentTraceId(): string | null {
    return this.current.getStore()?.traceId ?? null;
  }

  createSpan(name: string, callback: (span: ObserveSpanDelegate) => unknown): Promise<unknown> {
    const store = this.current.getStore();
    if (store === undefined) return Promise.reject(new Error('no trace'));
    const span: RecordedSpan = { name, parent: store.span, tags: {} };
    this.spans.push(span);
    const delegate: ObserveSpanDelegate = {
      id: this.recorded ? `span-${this.spans.length}` : '',
      setTag: (key, value) => (span.tags[key] = value),
    };
    return this.current.run({ ...store, span }, async () => {
      try {
        const result = await callback(delegate);
        span.outcome = 'ok';
        return result;
      } catch (error) {
        span.outcome = error;
        throw error;
      }
    });
  }
}

function stateOf(span: SpanState['span'], traceId = 'trace-1'): SpanState {
  return {
    span,
    traceId,
    metricAttributes: { 'nest_bucket.operation': 'uploadFile' },
    attempts: 0,
    retries: 0,
    requests: 0,
  };
}

describe('spans through @nestjs/observe', () => {
  it('finds TracerService when @nestjs/observe is installed, and nothing when it is not', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module '@nestjs/observe'"), {
        code: 'MODULE_NOT_FOUND',
      });
    };
    expect(loadObserveTracerClass(missing)).toBeUndefined();
    expect(loadObserveTracerClass(() => ({}))).toBeUndefined();
    expect(typeof observeTracerToken()).toBe('function');
    expect(observeTracerToken()).toBe(observeTracerToken());
    expect(isObserveTracer(new StandInTracer())).toBe(true);
    expect(isObserveTracer({ createSpan: () => undefined })).toBe(false);
    expect(isObserveTracer(undefined)).toBe(false);
  });

  it('keeps a span open until end(), runs work in it, and nests child spans under it', async () => {
    const tracer = new StandInTracer();
    await tracer.trace('trace-1', async () => {
      const span = startObservedSpan(tracer, 'nest-bucket uploadFile', { 'aws.s3.key': 'a' });
      const state = stateOf(span);
      await span.run(async () => {
        expect(activeObserved()?.state).toBe(state);
        await inChildSpan('uploadFile part', { bucket: 'b', key: 'a', partNumber: 1 }, () =>
          Promise.resolve(),
        );
        const deferred = startChildSpan('uploadFile part', {
          bucket: 'b',
          key: 'a',
          partNumber: 2,
        });
        await deferred.run(() => Promise.resolve());
        deferred.end();
      }, state);
      expect(activeObserved()).toBeUndefined();
      expect(tracer.spans[0].outcome).toBeUndefined();
      span.setAttribute('nest_bucket.bytes_sent', 10);
      span.end();
    });
    await new Promise((resolve) => setImmediate(resolve));
    const [operation, first, second] = tracer.spans;
    expect(operation).toMatchObject({
      name: 'nest-bucket uploadFile',
      outcome: 'ok',
      tags: { 'aws.s3.key': 'a', 'nest_bucket.bytes_sent': 10 },
    });
    for (const [part, number] of [
      [first, 1],
      [second, 2],
    ] as const) {
      expect(part).toMatchObject({
        name: 'nest-bucket uploadFile part',
        parent: operation,
        outcome: 'ok',
        tags: { 'aws.s3.part_number': number, 'nest_bucket.operation': 'uploadFile' },
      });
    }
  });

  it('ends a failed span by throwing the BucketError into createSpan', async () => {
    const tracer = new StandInTracer();
    const failure = new BucketError('NoSuchKey', 'The key does not exist.');
    tracer.trace('trace-1', () => {
      const span = startObservedSpan(tracer, 'nest-bucket getObject', {});
      span.recordException(failure);
      span.setStatus({ code: ERROR_STATUS, message: failure.message });
      span.end();
      span.end();
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracer.spans).toHaveLength(1);
    expect(tracer.spans[0].outcome).toBe(failure);
  });

  it('runs the work without a span when createSpan throws (outside a trace)', async () => {
    const tracer = new StandInTracer();
    const span = startObservedSpan(tracer, 'nest-bucket putObject', {});
    await expect(span.run(() => Promise.resolve('done'), stateOf(span))).resolves.toBe('done');
    span.end();
    expect(tracer.spans).toHaveLength(0);
  });

  it('creates no child span when the trace is not recorded (sampled out)', async () => {
    const tracer = new StandInTracer(false);
    await tracer.trace('trace-1', async () => {
      const span = startObservedSpan(tracer, 'nest-bucket uploadFile', {});
      expect(span.isRecording()).toBe(false);
      await span.run(
        () => inChildSpan('uploadFile part', { bucket: 'b', key: 'a' }, () => Promise.resolve()),
        stateOf(span),
      );
      span.end();
    });
    expect(tracer.spans.map((s) => s.name)).toEqual(['nest-bucket uploadFile']);
  });
});
