import { CreateBucketCommand } from '@aws-sdk/client-s3';
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
import type { Readable } from 'node:stream';
import type { BucketService } from '../../libs/bucket/src';
import { rotation } from '../alternate';
import { cleanupOnSignals, onCleanup, runCleanup } from '../cleanup';
import { createBenchService, createRawClient } from '../clients';
import { runPool } from '../pool';
import { provideServer } from '../server';
import { summarize, type Summary } from '../stats';
import { medianRange, renderTable } from '../table';

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

/** Turns the OpenTelemetry SDK on (tracer, meter, context manager) or off (the API's no-ops). */
function telemetrySwitch(): (on: boolean) => void {
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

async function drain(body: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) bytes += chunk.length;
  return bytes;
}

type Op = 'put' | 'get' | 'head';
const OPS: Op[] = ['put', 'get', 'head'];

function perform(service: BucketService, bucket: string, body: Buffer) {
  return {
    put: (key: string) => service.putObject(bucket, key, body),
    get: async (key: string) => drain((await service.getObject(bucket, key)).body),
    head: (key: string) => service.getBucketFile(bucket, key),
  };
}

/**
 * `npm run bench:telemetry`: the cost of nest-bucket's OpenTelemetry instrumentation on small
 * operations (1 KiB put, get, head), with an SDK installed (a tracer provider with a batch
 * processor and a discarding exporter, a meter provider, the AsyncLocalStorage context manager)
 * against none (the API's no-ops), in the same process, alternating. Reports ops/s and CPU per
 * operation of each, and their ratio. `BENCH_TELEMETRY_OPS` (default 300) per batch,
 * `BENCH_TELEMETRY_REPS` (default 5) repetitions, `BENCH_TELEMETRY_IN_FLIGHT` (default 1).
 */
async function main(): Promise<void> {
  cleanupOnSignals();
  const opsPerBatch = Number(process.env.BENCH_TELEMETRY_OPS ?? 300);
  const reps = Number(process.env.BENCH_TELEMETRY_REPS ?? 5);
  const inFlight = Number(process.env.BENCH_TELEMETRY_IN_FLIGHT ?? 1);
  // Before the service: its telemetry loads the API at construction.
  const setTelemetry = telemetrySwitch();
  const server = await provideServer();
  const client = createRawClient(server);
  onCleanup('close the raw client', () => {
    client.destroy();
  });
  const { service, close } = await createBenchService(server);
  onCleanup('close the Nest context', close);
  const bucket = `bench-otel-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  onCleanup(`delete bucket ${bucket}`, async () => {
    if (!server.startedHere) await service.deleteBucket(bucket, { force: true });
  });
  const ops = perform(service, bucket, Buffer.alloc(1024, 'x'));
  const variants = [
    { name: 'no SDK', on: false },
    { name: 'SDK installed', on: true },
  ];
  const samples = new Map<string, { opsPerSec: number[]; cpuUs: number[] }>();
  for (let rep = -1; rep < reps; rep++) {
    for (const variant of rotation(variants, Math.max(rep, 0))) {
      setTelemetry(variant.on);
      for (const op of OPS) {
        const cpuBefore = process.cpuUsage();
        const { wallMs } = await runPool(opsPerBatch, inFlight, (i) =>
          ops[op](`otel/${rep}/${variant.on ? 'on' : 'off'}/${i}`),
        );
        const cpu = process.cpuUsage(cpuBefore);
        if (rep < 0) continue; // warm-up
        const key = `${variant.name}/${op}`;
        const entry = samples.get(key) ?? { opsPerSec: [], cpuUs: [] };
        entry.opsPerSec.push(opsPerBatch / (wallMs / 1000));
        entry.cpuUs.push((cpu.user + cpu.system) / opsPerBatch);
        samples.set(key, entry);
      }
    }
    if (rep >= 0) console.error(`repetition ${rep + 1}/${reps}`);
  }
  setTelemetry(false);
  const rows = OPS.map((op) => {
    const none = { opsPerSec: [], cpuUs: [] };
    const off = samples.get(`no SDK/${op}`) ?? none;
    const on = samples.get(`SDK installed/${op}`) ?? none;
    const ratio: Summary = summarize(on.opsPerSec.map((v, i) => v / off.opsPerSec[i]));
    const cpuRatio: Summary = summarize(on.cpuUs.map((v, i) => v / off.cpuUs[i]));
    return [
      op,
      medianRange(summarize(off.opsPerSec)),
      medianRange(summarize(on.opsPerSec)),
      medianRange(ratio, 3),
      medianRange(summarize(off.cpuUs)),
      medianRange(summarize(on.cpuUs)),
      medianRange(cpuRatio, 3),
    ];
  });
  console.log(
    `Small operations (1 KiB, ${inFlight} in flight, ${opsPerBatch} a batch, ${reps} repetitions), median (min-max):\n`,
  );
  console.log(
    renderTable(
      [
        'op',
        'ops/s no SDK',
        'ops/s SDK',
        'ratio SDK/none',
        'CPU µs/op no SDK',
        'CPU µs/op SDK',
        'CPU ratio',
      ],
      rows,
    ),
  );
}

main()
  .catch((error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = 1;
  })
  .finally(() => runCleanup());
