import type { S3Client } from '@aws-sdk/client-s3';
import {
  Controller,
  Get,
  Headers,
  Module,
  Param,
  Post,
  Put,
  type INestApplication,
} from '@nestjs/common';
import { createObserveModule, TracerService } from '@nestjs/observe';
import { Test, type TestingModuleOptions } from '@nestjs/testing';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BucketModule, BucketService } from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import { temporaryFolder, writeRandomFile } from './support/files';
import { CapturingLogger } from './support/log-capture';
import { rawClient, removeBucket, serverOptions, uniqueBucketName } from './support/s3';

const MIB = 1024 * 1024;

/** A span of @nestjs/observe's wire format (its single-letter keys). */
interface WireSpan {
  /** Name (manual spans). */
  n?: string;
  /** Origin: `auto` (a provider's method) or `manual` (`createSpan`). */
  o?: string;
  /** Tags. */
  t?: Record<string, string | number | boolean>;
  /** Error: an object on a failed root span, `true` below. */
  e?: unknown;
  /** Class and method of an `auto` span. */
  c?: string;
  m?: string;
  /** Children. */
  ch?: WireSpan[];
}

/** A request as the agent reports it: its trace id and its tree of spans. */
interface WireRequest {
  ti: string;
  t?: WireSpan[];
}

/**
 * The collector that @nestjs/observe's agent posts to (`endpoint`): it keeps every batch, as
 * decoded JSON. Nothing leaves the machine.
 */
class Collector {
  readonly batches: unknown[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = (
        req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body
      ).toString();
      if (req.url === '/applications/telemetry') this.batches.push(JSON.parse(text));
      res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Everything received, as one text (for the canary check). */
  text(): string {
    return JSON.stringify(this.batches);
  }

  /** The request reported under `traceId`, once a flush (every second) has brought it. */
  async request(traceId: string): Promise<WireRequest> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = findRequest(this.batches, traceId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no trace ${traceId} received`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function findRequest(value: unknown, traceId: string): WireRequest | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findRequest(item, traceId);
      if (found) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    if ((value as { ti?: unknown }).ti === traceId && 't' in value) return value as WireRequest;
    for (const item of Object.values(value)) {
      const found = findRequest(item, traceId);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every span of a tree, each with the chain of its ancestors (nearest last). */
function flatten(spans: WireSpan[] = [], ancestors: WireSpan[] = []) {
  const all: { span: WireSpan; ancestors: WireSpan[] }[] = [];
  for (const span of spans) {
    all.push({ span, ancestors });
    all.push(...flatten(span.ch, [...ancestors, span]));
  }
  return all;
}

function spansNamed(report: WireRequest, name: string) {
  return flatten(report.t).filter(({ span }) => span.n === name);
}

// An OpenTelemetry SDK too: operations outside a traced request fall back to it.
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const { ObserveModule, ObserveInstrument } = createObserveModule();

/** What the routes work on, set once the bucket and the file exist. */
const fixture = { bucket: '', twelve: '' };

@Controller('files')
class FilesController {
  constructor(private readonly files: BucketService) {}

  @Put(':key')
  async put(@Param('key') key: string): Promise<{ ok: true }> {
    await this.files.putObject(fixture.bucket, key, 'hello');
    return { ok: true };
  }

  @Post('big')
  async big(): Promise<{ ok: true }> {
    await this.files.uploadFile(fixture.bucket, fixture.twelve, 'big.bin');
    return { ok: true };
  }

  @Get('download')
  async download(): Promise<{ ok: true }> {
    await this.files.downloadFile(fixture.bucket, 'ranged.bin', `${fixture.twelve}.out`);
    return { ok: true };
  }

  @Get('missing')
  async missing(): Promise<{ code: string }> {
    return { code: await errorCodeOf(this.files.getObject(fixture.bucket, 'missing.txt')) };
  }

  @Get('signed')
  async signed(@Headers('x-key') key: string): Promise<{ url: string }> {
    return { url: await this.files.getPresignedUrl(fixture.bucket, key, { method: 'PUT' }) };
  }
}

describe('@nestjs/observe: spans through its TracerService (real server)', () => {
  const collector = new Collector();
  const logger = new CapturingLogger();
  let app: INestApplication;
  let base: string;
  let service: BucketService;
  let raw: S3Client;
  let folder: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    const endpoint = await collector.start();
    @Module({
      imports: [
        ObserveModule.forRoot({
          appKey: 'test-key',
          appSecret: 'test-secret',
          serviceId: 'nest-bucket-test',
          endpoint,
          flushInterval: 1000,
          runtimeMetrics: false,
          outgoing: false,
        }),
        BucketModule.forRoot(
          serverOptions({ debug: true, multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB }),
        ),
      ],
      controllers: [FilesController],
    })
    class AppModule {}
    const options: TestingModuleOptions = { instrument: ObserveInstrument };
    const module = await Test.createTestingModule({ imports: [AppModule] }, options).compile();
    app = module.createNestApplication();
    app.useLogger(logger);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    service = app.get(BucketService);
    raw = rawClient();
    fixture.bucket = uniqueBucketName('observe');
    await service.createBucket(fixture.bucket);
    folder = await temporaryFolder();
    fixture.twelve = join(folder.path, 'twelve.bin');
    await writeRandomFile(fixture.twelve, 12 * MIB);
  });

  afterAll(async () => {
    await removeBucket(raw, fixture.bucket);
    raw.destroy();
    await folder.remove();
    await app.close();
    await collector.stop();
  });

  beforeEach(() => {
    exporter.reset();
  });

  /** A request to the app, in the trace `traceId` (the agent adopts `x-request-id`). */
  async function call(
    method: string,
    path: string,
    traceId: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const response = await fetch(`${base}/files/${path}`, {
      method,
      headers: { 'x-request-id': traceId, ...headers },
    });
    expect(response.ok).toBe(true);
    return response;
  }

  it('has BucketModule inject the application’s TracerService', () => {
    expect(app.get(TracerService)).toBeInstanceOf(TracerService);
  });

  it('creates the span of an operation in a request through TracerService, under the request’s spans, with its attributes and the trace id in the log line', async () => {
    const traceId = randomUUID();
    await call('PUT', 'hello.txt', traceId);

    const report = await collector.request(traceId);
    const [put] = spansNamed(report, 'nest-bucket putObject');
    expect(put.span.o).toBe('manual');
    expect(put.span.e).toBeUndefined();
    expect(put.span.t).toMatchObject({
      'aws.s3.bucket': fixture.bucket,
      'aws.s3.key': 'hello.txt',
      'nest_bucket.operation': 'putObject',
      'nest_bucket.instance': 'default',
      'nest_bucket.bytes_sent': 5,
      'nest_bucket.attempts': 1,
      'nest_bucket.retries': 0,
    });
    // Inside the request: under the controller's span and the service method's (auto spans).
    expect(put.ancestors.map((span) => `${span.c}.${span.m}`)).toEqual(
      expect.arrayContaining(['FilesController.put', 'BucketService.putObject']),
    );
    // Not through OpenTelemetry as well.
    expect(exporter.getFinishedSpans().map((span) => span.name)).not.toContain(
      'nest-bucket putObject',
    );
    const line = logger
      .at('debug')
      .map((l) => l.message)
      .find((message) => message.startsWith('putObject') && message.includes('"hello.txt"'));
    expect(line).toMatch(new RegExp(`ok trace_id=${traceId}$`));
  });

  it('gives the parts of an upload their own spans, children of the operation’s', async () => {
    const traceId = randomUUID();
    await call('POST', 'big', traceId);

    const report = await collector.request(traceId);
    const [upload] = spansNamed(report, 'nest-bucket uploadFile');
    const uploadId = upload.span.t?.['aws.s3.upload_id'];
    expect(typeof uploadId).toBe('string');
    expect(upload.span.t).toMatchObject({ 'nest_bucket.bytes_sent': 12 * MIB });
    const parts = spansNamed(report, 'nest-bucket uploadFile part');
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.ancestors).toContain(upload.span);
      expect(part.span.t).toMatchObject({
        'aws.s3.key': 'big.bin',
        'aws.s3.upload_id': uploadId,
        'nest_bucket.attempts': 1,
      });
    }
    expect(parts.map((part) => part.span.t?.['aws.s3.part_number']).sort()).toEqual([1, 2, 3]);
  });

  it('gives each range of a download its own span, a child of the operation’s', async () => {
    await service.uploadFile(fixture.bucket, fixture.twelve, 'ranged.bin');
    const traceId = randomUUID();
    await call('GET', 'download', traceId);

    const report = await collector.request(traceId);
    const [download] = spansNamed(report, 'nest-bucket downloadFile');
    expect(download.span.t).toMatchObject({ 'nest_bucket.bytes_received': 12 * MIB });
    const ranges = spansNamed(report, 'nest-bucket downloadFile range');
    expect(ranges.map((range) => range.span.t?.['nest_bucket.range']).sort()).toEqual(
      [
        `bytes=0-${5 * MIB - 1}`,
        `bytes=${5 * MIB}-${10 * MIB - 1}`,
        `bytes=${10 * MIB}-${12 * MIB - 1}`,
      ].sort(),
    );
    for (const range of ranges) expect(range.ancestors).toContain(download.span);
    const received = ranges.map((range) => range.span.t?.['nest_bucket.bytes_received']);
    expect(received.reduce((a, b) => Number(a) + Number(b), 0)).toBe(12 * MIB);
  });

  it('marks a failed operation’s span as failed, with the BucketError code', async () => {
    const traceId = randomUUID();
    const response = await call('GET', 'missing', traceId);
    expect(await response.json()).toEqual({ code: 'NoSuchKey' });

    const report = await collector.request(traceId);
    const [get] = spansNamed(report, 'nest-bucket getObject');
    expect(get.span.e).toBeTruthy();
    expect(get.span.t).toMatchObject({
      'error.type': 'NoSuchKey',
      'nest_bucket.error.code': 'NoSuchKey',
      'aws.s3.key': 'missing.txt',
    });
  });

  it('outside a traced request, runs the operation without TracerService (which would throw there): its span is OpenTelemetry’s', async () => {
    const tracer = app.get(TracerService);
    expect(tracer.currentTraceId()).toBeNull();
    await expect(tracer.createSpan('outside', () => 'unreached')).rejects.toThrow();

    await service.putObject(fixture.bucket, 'outside.txt', 'hello');
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'nest-bucket putObject');
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['aws.s3.key']).toBe('outside.txt');
    const line = logger
      .at('debug')
      .map((l) => l.message)
      .find((message) => message.startsWith('putObject') && message.includes('"outside.txt"'));
    expect(line).toMatch(new RegExp(`ok trace_id=${spans[0].spanContext().traceId}$`));
  });

  it('never sends a signed URL, a signature or a secret to the collector', async () => {
    const traceId = randomUUID();
    const response = await call('GET', 'signed', traceId, { 'x-key': 'signed.txt' });
    const { url } = (await response.json()) as { url: string };
    const signature = new URL(url).searchParams.get('X-Amz-Signature') ?? '';
    expect(signature).toHaveLength(64);

    const report = await collector.request(traceId);
    expect(spansNamed(report, 'nest-bucket getPresignedUrl')).toHaveLength(1);
    const sent = collector.text();
    expect(sent).toContain('nest-bucket putObject');
    for (const forbidden of [
      signature,
      serverOptions().password,
      'X-Amz-Signature',
      'X-Amz-Credential',
      url,
    ]) {
      expect(sent).not.toContain(forbidden);
    }
  });
});
