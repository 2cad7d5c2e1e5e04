import type { S3Client } from '@aws-sdk/client-s3';
import { context, metrics, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { DataPointType, MeterProvider, type MetricData } from '@opentelemetry/sdk-metrics';
import { Test, type TestingModule } from '@nestjs/testing';
import { join } from 'node:path';
import { BucketModule, BucketService, type BucketModuleSyncOptions } from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import { temporaryFolder, writeRandomFile } from './support/files';
import { CapturingLogger } from './support/log-capture';
import { rawClient, removeBucket, serverOptions, uniqueBucketName } from './support/s3';
import { PullReader } from './support/pull-reader';

const MIB = 1024 * 1024;

// Registered before any module boots: as an application's OpenTelemetry SDK is started first.
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const reader = new PullReader();
const meterProvider = new MeterProvider({ readers: [reader] });
trace.setGlobalTracerProvider(tracerProvider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
metrics.setGlobalMeterProvider(meterProvider);

async function boot(options: BucketModuleSyncOptions, logger = new CapturingLogger()) {
  const module: TestingModule = await Test.createTestingModule({
    imports: [BucketModule.forRoot(options)],
  }).compile();
  module.useLogger(logger);
  await module.init();
  return { module, service: module.get(BucketService), logger };
}

function spansNamed(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.name === name);
}

function onlySpan(name: string): ReadableSpan {
  const spans = spansNamed(name);
  expect(spans, name).toHaveLength(1);
  return spans[0];
}

function childrenOf(parent: ReadableSpan): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
}

async function collectMetrics(): Promise<MetricData[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .filter((scope) => scope.scope.name === 'nest-bucket')
    .flatMap((scope) => scope.metrics);
}

function metricNamed(all: MetricData[], name: string): MetricData {
  const metric = all.find((m) => m.descriptor.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  return metric;
}

/** The sum of a counter's points whose attributes include `match`. */
function counterValue(metric: MetricData, match: Record<string, unknown>): number {
  return metric.dataPoints
    .filter((point) => Object.entries(match).every(([k, v]) => point.attributes[k] === v))
    .reduce((sum, point) => sum + (point.value as number), 0);
}

describe('OpenTelemetry spans and metrics (real server)', () => {
  let module: TestingModule;
  let service: BucketService;
  let logger: CapturingLogger;
  let raw: S3Client;
  let bucket: string;
  let folder: { path: string; remove: () => Promise<void> };
  let twelve: string;

  beforeAll(async () => {
    ({ module, service, logger } = await boot(
      serverOptions({ multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB, debug: true }),
    ));
    raw = rawClient();
    bucket = uniqueBucketName('otel');
    await service.createBucket(bucket);
    folder = await temporaryFolder();
    twelve = join(folder.path, 'twelve.bin');
    await writeRandomFile(twelve, 12 * MIB);
  });

  afterAll(async () => {
    await removeBucket(raw, bucket);
    raw.destroy();
    await folder.remove();
    await module.close();
  });

  beforeEach(() => {
    exporter.reset();
  });

  it('gives a multipart uploadFile one CLIENT span with its parts as children, numbered', async () => {
    await service.uploadFile(bucket, twelve, 'big/twelve.bin');
    const root = onlySpan('nest-bucket uploadFile');
    expect(root.kind).toBe(SpanKind.CLIENT);
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(root.instrumentationScope.name).toBe('nest-bucket');
    const uploadId = root.attributes['aws.s3.upload_id'];
    expect(typeof uploadId).toBe('string');
    expect(root.attributes).toMatchObject({
      'aws.s3.bucket': bucket,
      'aws.s3.key': 'big/twelve.bin',
      'nest_bucket.operation': 'uploadFile',
      'nest_bucket.instance': 'default',
      'nest_bucket.bytes_sent': 12 * MIB,
    });
    // CreateMultipartUpload, three UploadPart, CompleteMultipartUpload (and a HeadObject on RGW).
    expect(root.attributes['nest_bucket.attempts']).toBeGreaterThanOrEqual(5);
    expect(root.attributes['nest_bucket.retries']).toBe(0);

    const parts = childrenOf(root);
    expect(parts.map((part) => part.name)).toEqual(Array(3).fill('nest-bucket uploadFile part'));
    const byNumber = [...parts].sort(
      (a, b) =>
        Number(a.attributes['aws.s3.part_number']) - Number(b.attributes['aws.s3.part_number']),
    );
    expect(byNumber.map((part) => part.attributes['aws.s3.part_number'])).toEqual([1, 2, 3]);
    expect(byNumber.map((part) => part.attributes['nest_bucket.bytes_sent'])).toEqual([
      5 * MIB,
      5 * MIB,
      2 * MIB,
    ]);
    for (const part of parts) {
      expect(part.kind).toBe(SpanKind.CLIENT);
      expect(part.spanContext().traceId).toBe(root.spanContext().traceId);
      expect(part.attributes).toMatchObject({
        'aws.s3.bucket': bucket,
        'aws.s3.key': 'big/twelve.bin',
        'aws.s3.upload_id': uploadId,
        'nest_bucket.attempts': 1,
      });
    }
  });

  it('gives a ranged downloadFile one span with a child span per range', async () => {
    await service.uploadFile(bucket, twelve, 'ranged.bin');
    exporter.reset();
    await service.downloadFile(bucket, 'ranged.bin', join(folder.path, 'ranged.out'));
    const root = onlySpan('nest-bucket downloadFile');
    expect(root.attributes).toMatchObject({
      'aws.s3.bucket': bucket,
      'aws.s3.key': 'ranged.bin',
      'nest_bucket.bytes_received': 12 * MIB,
    });
    const ranges = childrenOf(root);
    expect(ranges.every((span) => span.name === 'nest-bucket downloadFile range')).toBe(true);
    expect(ranges.map((span) => span.attributes['nest_bucket.range']).sort()).toEqual(
      [
        `bytes=0-${5 * MIB - 1}`,
        `bytes=${5 * MIB}-${10 * MIB - 1}`,
        `bytes=${10 * MIB}-${12 * MIB - 1}`,
      ].sort(),
    );
    const received = ranges.map((span) => span.attributes['nest_bucket.bytes_received'] as number);
    expect(received.reduce((a, b) => a + b, 0)).toBe(12 * MIB);
    for (const range of ranges) expect(range.attributes['nest_bucket.attempts']).toBe(1);
  });

  it('gives a copy in parts its source, destination and part spans', async () => {
    await service.uploadFile(bucket, twelve, 'copy-source.bin');
    exporter.reset();
    await service.copyFile(bucket, 'copy-source.bin', bucket, 'copied/dest.bin', {
      multipartThresholdBytes: 5 * MIB,
      partSizeBytes: 5 * MIB,
    });
    const root = onlySpan('nest-bucket copyFile');
    expect(root.attributes).toMatchObject({
      'aws.s3.bucket': bucket,
      'aws.s3.key': 'copied/dest.bin',
      'aws.s3.copy_source': `${bucket}/copy-source.bin`,
    });
    const parts = childrenOf(root);
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.name).toBe('nest-bucket copyFile part');
      expect(part.attributes['aws.s3.copy_source']).toBe(`${bucket}/copy-source.bin`);
      expect(part.attributes['aws.s3.upload_id']).toBe(root.attributes['aws.s3.upload_id']);
    }
  });

  it('marks a failure: status ERROR, the BucketError code, an exception event, an error metric', async () => {
    expect(await errorCodeOf(service.getObject(bucket, 'missing.txt'))).toBe('NoSuchKey');
    const span = onlySpan('nest-bucket getObject');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      'error.type': 'NoSuchKey',
      'nest_bucket.error.code': 'NoSuchKey',
      'aws.s3.key': 'missing.txt',
    });
    const event = span.events.find((e) => e.name === 'exception');
    expect(event?.attributes?.['exception.type']).toBe('NoSuchKey');
    const errors = metricNamed(await collectMetrics(), 'nest_bucket.errors');
    expect(
      counterValue(errors, { 'nest_bucket.operation': 'getObject', 'error.type': 'NoSuchKey' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('writes the trace id in the debug line of an operation', async () => {
    await service.putObject(bucket, 'logged.txt', 'hello');
    const span = onlySpan('nest-bucket putObject');
    expect(span.attributes['nest_bucket.bytes_sent']).toBe(5);
    const line = logger
      .at('debug')
      .map((l) => l.message)
      .find((message) => message.startsWith('putObject') && message.includes('"logged.txt"'));
    expect(line).toMatch(new RegExp(`ok trace_id=${span.spanContext().traceId}$`));
  });

  it('nests its spans under the caller’s active span', async () => {
    const tracer = trace.getTracer('the-app');
    await tracer.startActiveSpan('handle request', async (parent) => {
      await service.fileExists(bucket, 'logged.txt');
      parent.end();
    });
    const parent = onlySpan('handle request');
    expect(onlySpan('nest-bucket fileExists').parentSpanContext?.spanId).toBe(
      parent.spanContext().spanId,
    );
  });

  it('records durations, bytes, and gauges of sockets and transfers', async () => {
    await service.putObject(bucket, 'metered.txt', 'x'.repeat(1000));
    await service.downloadFile(bucket, 'metered.txt', join(folder.path, 'metered.out'));
    const all = await collectMetrics();
    const duration = metricNamed(all, 'nest_bucket.operation.duration');
    expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(duration.descriptor.unit).toBe('s');
    const operations = duration.dataPoints.map((p) => p.attributes['nest_bucket.operation']);
    expect(operations).toEqual(expect.arrayContaining(['putObject', 'downloadFile', 'uploadFile']));
    const sent = metricNamed(all, 'nest_bucket.bytes.sent');
    expect(counterValue(sent, { 'nest_bucket.operation': 'putObject' })).toBeGreaterThanOrEqual(
      1000,
    );
    expect(counterValue(sent, { 'nest_bucket.operation': 'uploadFile' })).toBeGreaterThanOrEqual(
      12 * MIB,
    );
    const received = metricNamed(all, 'nest_bucket.bytes.received');
    expect(
      counterValue(received, { 'nest_bucket.operation': 'downloadFile' }),
    ).toBeGreaterThanOrEqual(1000);
    const limit = metricNamed(all, 'nest_bucket.http.sockets.limit');
    expect(limit.dataPoints[0]).toMatchObject({
      value: 50,
      attributes: { 'nest_bucket.instance': 'default' },
    });
    const inUse = metricNamed(all, 'nest_bucket.http.sockets.in_use');
    expect(inUse.dataPoints[0].value).toBeGreaterThanOrEqual(0);
    const transfers = metricNamed(all, 'nest_bucket.transfers.in_flight');
    expect(transfers.dataPoints[0].value).toBe(0);
  });

  it('never records a secret, a signature or a signed URL in a span or a metric', async () => {
    const canary = `canary-secret-${Date.now().toString(36)}`;
    const wrong = await boot(serverOptions({ password: canary, autoConnect: false }));
    const canaryService = wrong.service;
    const canaryUrl = await canaryService.getPresignedUrl(bucket, 'a.txt');
    await canaryService.createPresignedPost(bucket, { key: 'a.txt' });
    await errorCodeOf(canaryService.putObject(bucket, 'a.txt', 'x'));
    await errorCodeOf(canaryService.getObject(bucket, 'a.txt'));
    await wrong.module.close();

    const url = await service.getPresignedUrl(bucket, 'logged.txt', { expiresIn: 60 });
    const putUrl = await service.getPresignedUrl(bucket, 'put.txt', { method: 'PUT' });
    const signatures = [url, putUrl, canaryUrl].map(
      (u) => new URL(u).searchParams.get('X-Amz-Signature') ?? '',
    );
    expect(signatures.every((s) => s.length === 64)).toBe(true);

    const presign = spansNamed('nest-bucket getPresignedUrl');
    expect(presign.length).toBeGreaterThanOrEqual(2);
    expect(spansNamed('nest-bucket createPresignedPost')).toHaveLength(1);
    expect(presign[0].attributes['nest_bucket.attempts']).toBe(0);

    const recorded = JSON.stringify({
      spans: exporter.getFinishedSpans().map((span) => ({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
        links: span.links,
      })),
      metrics: (await collectMetrics()).map((metric) => ({
        name: metric.descriptor.name,
        points: metric.dataPoints.map((point) => point.attributes),
      })),
    });
    expect(recorded).toContain('nest-bucket putObject');
    for (const forbidden of [
      canary,
      serverOptions().password,
      ...signatures,
      'X-Amz-Signature',
      'X-Amz-Credential',
      'http://',
      'https://',
    ]) {
      expect(recorded).not.toContain(forbidden);
    }
  });
});
