import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { HttpResponse, type HttpHandler } from '@smithy/core/protocols';
import { Readable } from 'node:stream';
import { inChildSpan } from './child-span';
import { Telemetry } from './telemetry';
import { PullReader } from '../../../../test/support/pull-reader';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const reader = new PullReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

/** A server that answers 503 to the first `failures` requests, then 200. */
function flakyServer(failures: number): { handler: HttpHandler; requests: () => number } {
  let count = 0;
  const handler: HttpHandler = {
    handle: () => {
      count++;
      const statusCode = count <= failures ? 503 : 200;
      return Promise.resolve({
        response: new HttpResponse({
          statusCode,
          headers: { 'content-length': '0', etag: '"abc"' },
          body: Readable.from([]),
        }),
      });
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { handler, requests: () => count };
}

function clientOn(handler: HttpHandler): S3Client {
  return new S3Client({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    maxAttempts: 3,
    requestHandler: handler,
  });
}

describe('attempts and retries', () => {
  it('counts the SDK retries and the library re-sends in the spans and the retries metric', async () => {
    const server = flakyServer(1);
    const client = clientOn(server.handler);
    const telemetry = Telemetry.create({
      name: 'flaky',
      endpoint: 'http://127.0.0.1:9',
      client,
      transfersInFlight: () => 0,
    })!;
    const head = () => client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }));
    await telemetry.operation({ operation: 'getBucketFile', bucket: 'b', key: 'k' }, async () => {
      await head(); // 503 then 200: the SDK retries
      // A part that the library sends twice (as withRetries does), each one attempt.
      await inChildSpan(
        'getBucketFile part',
        { bucket: 'b', key: 'k', partNumber: 1 },
        async () => {
          await head();
          await head();
        },
      );
    });
    expect(server.requests()).toBe(4);
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'nest-bucket getBucketFile')!;
    const part = spans.find((s) => s.name === 'nest-bucket getBucketFile part')!;
    expect(part.attributes).toMatchObject({ 'nest_bucket.attempts': 2, 'nest_bucket.retries': 1 });
    expect(root.attributes).toMatchObject({
      'nest_bucket.attempts': 4,
      'nest_bucket.retries': 2,
      'nest_bucket.instance': 'flaky',
      'server.address': '127.0.0.1',
      'server.port': 9,
    });
    const { resourceMetrics } = await reader.collect();
    const retries = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === 'nest_bucket.retries')!;
    const total = retries.dataPoints.reduce((sum, p) => sum + (p.value as number), 0);
    expect(total).toBe(2);
    expect(retries.dataPoints[0].attributes).toEqual({
      'nest_bucket.operation': 'getBucketFile',
      'nest_bucket.instance': 'flaky',
    });
    telemetry.dispose();
    client.destroy();
  });
});
