import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BucketModuleSyncOptions } from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import { writeRandomFile } from './support/files';
import { leftoverPartFiles, openUploads, serviceThrough, useFaultRig } from './support/http-faults';

const MIB = 1024 * 1024;

const SETTINGS = {
  maxAttempts: 2,
  retryBaseDelayMs: 10,
  multipartThresholdBytes: 5 * MIB,
  partSizeBytes: 5 * MIB,
  // A stall: under 64 KiB/s for a second.
  minBytesPerSecond: 64 * 1024,
  stallTimeoutMs: 1000,
} satisfies Partial<BucketModuleSyncOptions>;

/** A bound on how long a stalled transfer takes to fail: the work, once repeated, a few windows each. */
const STALL_BOUND_MS = 15_000;

async function exists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

// Transfers that stall, and throttling that outlasts the retries, through an HTTP proxy between
// the service and the real server.
describe('stalled transfers and exhausted throttling', () => {
  const rig = useFaultRig('http-faults');
  let small: string;
  let large: string;

  beforeAll(async () => {
    await rig.direct.send(
      new PutObjectCommand({ Bucket: rig.bucket, Key: 'object.bin', Body: randomBytes(3 * MIB) }),
    );
    small = join(rig.folder.path, 'small.bin');
    large = join(rig.folder.path, 'large.bin');
    await writeRandomFile(small, 3 * MIB);
    await writeRandomFile(large, 12 * MIB);
  });

  it('downloadFile: a body trickling 1 byte/s fails with Timeout although bytes keep coming (requestTimeoutMs 1500), and leaves no file', async () => {
    const { service, close } = await serviceThrough(rig.proxy, {
      ...SETTINGS,
      requestTimeoutMs: 1500,
    });
    rig.proxy.add(
      { method: 'GET', path: `/${rig.bucket}/object.bin` },
      { kind: 'trickle', bytesPerSecond: 1 },
    );
    const destination = join(rig.folder.path, 'trickled.out');
    const started = Date.now();
    expect(await errorCodeOf(service.downloadFile(rig.bucket, 'object.bin', destination))).toBe(
      'Timeout',
    );
    expect(Date.now() - started).toBeLessThan(STALL_BOUND_MS);
    expect(existsSync(destination)).toBe(false);
    expect(await leftoverPartFiles(rig.folder.path)).toEqual([]);
    await close();
  });

  it('uploadFile (multipart): a server that reads parts at 1 KiB/s fails the upload with Timeout; no object, no multipart upload', async () => {
    // A long requestTimeoutMs: only the throughput check can end this upload in time.
    const { service, close } = await serviceThrough(rig.proxy, {
      ...SETTINGS,
      requestTimeoutMs: 60_000,
    });
    rig.proxy.add(
      { method: 'PUT', query: { partNumber: true } },
      { kind: 'trickleRequest', bytesPerSecond: 1024 },
    );
    const started = Date.now();
    expect(await errorCodeOf(service.uploadFile(rig.bucket, large, 'slow-parts.bin'))).toBe(
      'Timeout',
    );
    expect(Date.now() - started).toBeLessThan(STALL_BOUND_MS);
    expect(await exists(rig.direct, rig.bucket, 'slow-parts.bin')).toBe(false);
    expect(await openUploads(rig.direct, rig.bucket)).toEqual([]);
    await close();
  });

  it('uploadFile (one PutObject): a server that reads at 1 KiB/s fails the upload with Timeout; no object', async () => {
    const { service, close } = await serviceThrough(rig.proxy, {
      ...SETTINGS,
      requestTimeoutMs: 60_000,
    });
    rig.proxy.add(
      { method: 'PUT', path: `/${rig.bucket}/slow-put.bin` },
      { kind: 'trickleRequest', bytesPerSecond: 1024 },
    );
    const started = Date.now();
    expect(await errorCodeOf(service.uploadFile(rig.bucket, small, 'slow-put.bin'))).toBe(
      'Timeout',
    );
    expect(Date.now() - started).toBeLessThan(STALL_BOUND_MS);
    expect(await exists(rig.direct, rig.bucket, 'slow-put.bin')).toBe(false);
    await close();
  });

  it('503 SlowDown on every attempt gives Throttled, not Unknown: downloadFile (no file left), getBucketFile (a bodiless HEAD), putObject', async () => {
    const { service, close } = await serviceThrough(rig.proxy, SETTINGS);
    const slowDown = { kind: 'status', status: 503, code: 'SlowDown' } as const;
    const get = rig.proxy.add({ method: 'GET', path: `/${rig.bucket}/object.bin` }, slowDown);
    const destination = join(rig.folder.path, 'throttled.out');
    expect(await errorCodeOf(service.downloadFile(rig.bucket, 'object.bin', destination))).toBe(
      'Throttled',
    );
    expect(get.applied).toBeGreaterThanOrEqual(SETTINGS.maxAttempts);
    expect(existsSync(destination)).toBe(false);
    expect(await leftoverPartFiles(rig.folder.path)).toEqual([]);

    rig.proxy.add({ method: 'HEAD', path: `/${rig.bucket}/object.bin` }, slowDown);
    expect(await errorCodeOf(service.getBucketFile(rig.bucket, 'object.bin'))).toBe('Throttled');

    rig.proxy.add({ method: 'PUT', path: `/${rig.bucket}/throttled.txt` }, slowDown);
    expect(await errorCodeOf(service.putObject(rig.bucket, 'throttled.txt', 'text'))).toBe(
      'Throttled',
    );
    expect(await exists(rig.direct, rig.bucket, 'throttled.txt')).toBe(false);
    await close();
  });
});
