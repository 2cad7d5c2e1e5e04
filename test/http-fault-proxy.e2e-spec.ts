import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { HttpFaultProxy } from './support/http-fault-proxy';
import { rawClientThrough, startHttpFaultProxy } from './support/http-faults';
import { rawClient, removeBucket, uniqueBucketName } from './support/s3';

/** Reads a body, keeping how many chunks it came in. */
async function readBody(body: Readable): Promise<{ bytes: Buffer; chunks: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}

async function errorOf(promise: Promise<unknown>): Promise<{ name?: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return { name, status: $metadata?.httpStatusCode };
  }
  throw new Error('expected a failure, but the request succeeded');
}

// The test support's HTTP fault proxy, checked with a raw SDK client: each fault does what the
// library's integrity tests rely on.
describe('the HTTP fault proxy', () => {
  let direct: S3Client;
  let proxy: HttpFaultProxy;
  let client: S3Client;
  let bucket: string;
  const content = randomBytes(64 * 1024);
  const key = 'object.bin';
  const path = () => `/${bucket}/${key}`;

  beforeAll(async () => {
    direct = rawClient();
    proxy = await startHttpFaultProxy();
    client = rawClientThrough(proxy);
    bucket = uniqueBucketName('proxy');
    await direct.send(new CreateBucketCommand({ Bucket: bucket }));
    await direct.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content }));
  });

  afterAll(async () => {
    await removeBucket(direct, bucket);
    client.destroy();
    direct.destroy();
    await proxy.stop();
  });

  afterEach(() => {
    proxy.reset();
  });

  const get = async () => {
    const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { output, ...(await readBody(output.Body as Readable)) };
  };

  it('answers a status with an S3 error body to the nth matching request only, and counts', async () => {
    const rule = proxy.add(
      { method: 'GET', path: path(), nth: 1 },
      { kind: 'status', status: 503, code: 'SlowDown', retryAfterSeconds: 0 },
    );
    const { bytes } = await get(); // the SDK retries the 503
    expect(bytes.equals(content)).toBe(true);
    expect({ matched: rule.matched, applied: rule.applied }).toEqual({ matched: 2, applied: 1 });

    proxy.add(
      { method: 'GET', path: path() },
      { kind: 'status', status: 500, code: 'InternalError' },
    );
    const noRetry = rawClientThrough(proxy, 1);
    expect(await errorOf(noRetry.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).toEqual(
      { name: 'InternalError', status: 500 },
    );
    noRetry.destroy();
  });

  it('matches on the query: a rule for partNumber=2 leaves a plain GET alone', async () => {
    const rule = proxy.add(
      { query: { partNumber: '2' } },
      { kind: 'status', status: 500, code: 'InternalError' },
    );
    await get();
    expect(rule.matched).toBe(0);
    expect(proxy.count({ method: 'GET', path: path() })).toBe(1);
  });

  it('flips exactly one byte of a response body', async () => {
    proxy.add({ method: 'GET', path: path() }, { kind: 'flipResponseByte', offset: 1000 });
    const { bytes } = await get();
    const differing = [...bytes.keys()].filter((i) => bytes[i] !== content[i]);
    expect(differing).toEqual([1000]);
  });

  it('flips a byte of a request body: a signed buffer put is refused, nothing stored', async () => {
    proxy.add({ method: 'PUT' }, { kind: 'flipRequestByte' });
    const flipped = errorOf(
      client.send(new PutObjectCommand({ Bucket: bucket, Key: 'flipped.bin', Body: content })),
    );
    expect((await flipped).status).toBe(400);
    expect(
      await errorOf(direct.send(new GetObjectCommand({ Bucket: bucket, Key: 'flipped.bin' }))),
    ).toMatchObject({ name: 'NoSuchKey' });
  });

  it('shortens a body with a matching Content-Length, or cuts it under the full one', async () => {
    proxy.add({ method: 'GET', path: path(), nth: 1 }, { kind: 'shortenResponse', bytes: 10 });
    const short = await get();
    expect(short.output.ContentLength).toBe(content.length - 10);
    expect(short.bytes.equals(content.subarray(0, -10))).toBe(true);

    proxy.add(
      { method: 'GET', path: path() },
      { kind: 'shortenResponse', bytes: 10, keepContentLength: true },
    );
    const cut = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(cut.ContentLength).toBe(content.length);
    const received: number | 'error' = await readBody(cut.Body as Readable).then(
      ({ bytes }) => bytes.length,
      () => 'error' as const,
    );
    expect(received === 'error' || received < content.length).toBe(true);
  });

  it('lengthens a body with a matching Content-Length', async () => {
    proxy.add({ method: 'GET', path: path() }, { kind: 'lengthenResponse', bytes: 5 });
    const long = await get();
    expect(long.output.ContentLength).toBe(content.length + 5);
    expect(long.bytes.subarray(0, content.length).equals(content)).toBe(true);
    expect(long.bytes.length).toBe(content.length + 5);
  });

  it('trickles a body in small pieces, and delays an answer', async () => {
    proxy.add({ method: 'GET', path: path() }, { kind: 'trickle', bytesPerSecond: 2_000_000 });
    const trickled = await get();
    expect(trickled.bytes.equals(content)).toBe(true);
    // 2 MB/s in slices of a tenth of a second: 200 kB a slice, so one here; slower is finer.
    proxy.reset();
    proxy.add({ method: 'GET', path: path() }, { kind: 'trickle', bytesPerSecond: 320_000 });
    const fine = await get();
    expect(fine.bytes.equals(content)).toBe(true);
    expect(fine.chunks).toBeGreaterThanOrEqual(2);

    proxy.reset();
    proxy.add({ method: 'GET', path: path() }, { kind: 'delay', ms: 300 });
    const started = Date.now();
    await get();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
