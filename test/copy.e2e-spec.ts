import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { BucketConflictError, type BucketService, type TransferProgress } from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import {
  bootBucketModule,
  rawClient,
  removeBucket,
  serverOptions,
  uniqueBucketName,
} from './support/s3';
import { sha256 } from './support/files';

const MIB = 1024 * 1024;

// Copies in parts (UploadPartCopy) on the real server, checked as another client sees them: a
// raw S3 client reads the bytes and the headers, and lists the multipart uploads left.
describe('copies in parts (real server, threshold lowered to 5 MiB)', () => {
  let module: TestingModule;
  let service: BucketService;
  let raw: S3Client;
  const bucket = uniqueBucketName('copy-a');
  const other = uniqueBucketName('copy-b');
  const data = randomBytes(100 * MIB);
  const headers = {
    ContentType: 'video/mp4',
    CacheControl: 'max-age=3600',
    ContentDisposition: 'attachment; filename="clip.mp4"',
    ContentLanguage: 'fr',
    Metadata: { origin: 'camera', take: '7' },
  };

  beforeAll(async () => {
    ({ module, service } = await bootBucketModule({
      ...serverOptions(),
      multipartCopyThresholdBytes: 5 * MIB,
      partSizeBytes: 5 * MIB,
    }));
    raw = rawClient();
    await service.createBucket(bucket);
    await service.createBucket(other);
    await raw.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'src/clip.mp4', Body: data, ...headers }),
    );
  }, 120_000);

  afterAll(async () => {
    await removeBucket(raw, bucket);
    await removeBucket(raw, other);
    raw.destroy();
    await module.close();
  });

  async function pendingUploads(name: string): Promise<number> {
    const page = await raw.send(new ListMultipartUploadsCommand({ Bucket: name }));
    return page.Uploads?.length ?? 0;
  }

  async function readRaw(name: string, key: string): Promise<Buffer> {
    const got = await raw.send(new GetObjectCommand({ Bucket: name, Key: key }));
    return Buffer.from(await got.Body!.transformToByteArray());
  }

  it.each([
    ['within the bucket', () => bucket],
    ['across buckets', () => other],
  ])(
    'copies 100 MiB %s in 20 parts of 5 MiB: equal sha256, the same headers and metadata as another client sees them',
    async (_where, destination) => {
      const events: TransferProgress[] = [];
      const result = await service.copyFile(bucket, 'src/clip.mp4', destination(), 'dst/clip.mp4', {
        onProgress: (progress) => events.push(progress),
      });
      expect(result.etag).toMatch(/^[0-9a-f]{32}-20$/);
      expect(sha256(await readRaw(destination(), 'dst/clip.mp4'))).toBe(sha256(data));
      const head = await raw.send(
        new HeadObjectCommand({ Bucket: destination(), Key: 'dst/clip.mp4' }),
      );
      expect(head).toMatchObject({ ...headers, ContentLength: data.length });
      expect(events).toHaveLength(20);
      expect(events.at(-1)).toEqual({ loaded: data.length, total: data.length });
      expect(await pendingUploads(destination())).toBe(0);
    },
    120_000,
  );

  it('a source rewritten during the copy fails it with PreconditionFailed and leaves no object and no multipart upload', async () => {
    await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'src/changing.bin', Body: data }));
    const next = randomBytes(data.length);
    await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'src/next.bin', Body: next }));
    // The rewrite is a server-side CopyObject: on Ceph RGW it takes tens of ms, while the 19
    // parts left, one at a time, take about a second.
    let rewrite: Promise<unknown> | undefined;
    const copy = service.copyFile(bucket, 'src/changing.bin', other, 'dst/changing.bin', {
      concurrency: 1,
      onProgress: () => {
        rewrite ??= raw.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: 'src/changing.bin',
            CopySource: `${bucket}/src/next.bin`,
          }),
        );
      },
    });
    const error = await copy.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    await rewrite;
    expect(error).toBeInstanceOf(BucketConflictError);
    expect((error as BucketConflictError).code).toBe('PreconditionFailed');
    expect((error as Error).message).toContain("the source's ETag changed");
    expect(await service.fileExists(other, 'dst/changing.bin')).toBe(false);
    expect(await pendingUploads(other)).toBe(0);
    expect(sha256(await readRaw(bucket, 'src/changing.bin'))).toBe(sha256(next));
  }, 120_000);

  it('a move whose copy fails keeps its source, byte for byte, and leaves no multipart upload', async () => {
    await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'src/keep.bin', Body: data }));
    const controller = new AbortController();
    const moved = service.moveFile(bucket, 'src/keep.bin', other, 'dst/keep.bin', {
      signal: controller.signal,
      onProgress: ({ loaded }) => {
        if (loaded >= 30 * MIB) controller.abort();
      },
    });
    expect(await errorCodeOf(moved)).toBe('Aborted');
    expect(sha256(await readRaw(bucket, 'src/keep.bin'))).toBe(sha256(data));
    expect(await service.fileExists(other, 'dst/keep.bin')).toBe(false);
    expect(await pendingUploads(other)).toBe(0);
  }, 120_000);

  it('a move in parts across buckets: the destination has the same sha256, the source is gone', async () => {
    await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'src/move.bin', Body: data }));
    const result = await service.moveFile(bucket, 'src/move.bin', other, 'dst/move.bin');
    expect(result.etag).toMatch(/-20$/);
    expect(await service.fileExists(bucket, 'src/move.bin')).toBe(false);
    expect(sha256(await readRaw(other, 'dst/move.bin'))).toBe(sha256(data));
    expect(await pendingUploads(other)).toBe(0);
  }, 120_000);
});
