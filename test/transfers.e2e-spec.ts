import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { TestingModule } from '@nestjs/testing';
import { existsSync, truncateSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BucketError, type BucketService, type TransferProgress } from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import { sha256File, temporaryFolder, writeRandomFile } from './support/files';
import { bootBucketModule, rawClient, removeBucket, uniqueBucketName } from './support/s3';

const MIB = 1024 * 1024;

// Server-side checks (multipart uploads on the server, presigned URLs over plain HTTP) that need
// a raw client or a real endpoint: they stay out of the shared contract suite.
describe('large objects and transfers (real server)', () => {
  let module: TestingModule;
  let service: BucketService;
  let raw: S3Client;
  let bucket: string;
  let folder: { path: string; remove: () => Promise<void> };
  let fifty: string;

  beforeAll(async () => {
    ({ module, service } = await bootBucketModule());
    raw = rawClient();
    bucket = uniqueBucketName('transfers');
    await service.createBucket(bucket);
    folder = await temporaryFolder();
    fifty = join(folder.path, 'fifty.bin');
    await writeRandomFile(fifty, 50 * MIB);
  });

  afterAll(async () => {
    await removeBucket(raw, bucket);
    raw.destroy();
    await folder.remove();
    await module.close();
  });

  async function pendingUploads(): Promise<number> {
    const page = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return page.Uploads?.length ?? 0;
  }

  it('uploads 50 MiB in parts, with progress that only grows and ends at the total', async () => {
    const events: TransferProgress[] = [];
    const result = await service.uploadFile(bucket, fifty, 'big/fifty.bin', {
      partSizeBytes: 5 * MIB,
      onProgress: (progress) => events.push(progress),
    });
    expect(result.size).toBe(50 * MIB);
    expect(events.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < events.length; i++)
      expect(events[i].loaded).toBeGreaterThan(events[i - 1].loaded);
    expect(events.at(-1)).toEqual({ loaded: 50 * MIB, total: 50 * MIB });
    const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/fifty.bin' }));
    expect(head.ETag).toMatch(/-10"$/); // ten 5 MiB parts
    expect(await pendingUploads()).toBe(0);
  });

  it('downloads 50 MiB with parallel ranged GETs, sha256 equal, progress ending at the total', async () => {
    const destination = join(folder.path, 'fifty.out');
    const events: TransferProgress[] = [];
    const result = await service.downloadFile(bucket, 'big/fifty.bin', destination, {
      partSizeBytes: 5 * MIB,
      concurrency: 4,
      onProgress: (progress) => events.push(progress),
    });
    expect(result.size).toBe(50 * MIB);
    expect(await sha256File(destination)).toBe(await sha256File(fifty));
    for (let i = 1; i < events.length; i++)
      expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
    expect(events.at(-1)).toEqual({ loaded: 50 * MIB, total: 50 * MIB });
  });

  it('aborting an upload midway rejects with Aborted, leaves no object and no multipart upload, and writes nothing to the console', async () => {
    // The SDK writes to console.warn about failed stream requests unless given a logger.
    const warn = vi.spyOn(console, 'warn');
    const controller = new AbortController();
    const upload = service.uploadFile(bucket, fifty, 'big/aborted.bin', {
      partSizeBytes: 5 * MIB,
      concurrency: 2,
      signal: controller.signal,
      onProgress: () => {
        controller.abort();
      },
    });
    expect(await errorCodeOf(upload)).toBe('Aborted');
    expect(await pendingUploads()).toBe(0);
    expect(await service.fileExists(bucket, 'big/aborted.bin')).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('a file that shrinks during a multipart upload fails with InvalidArgument and leaves nothing behind', async () => {
    const shrinking = join(folder.path, 'shrinking.bin');
    await writeRandomFile(shrinking, 40 * MIB);
    const upload = service.uploadFile(bucket, shrinking, 'big/shrinking.bin', {
      partSizeBytes: 8 * MIB,
      concurrency: 2,
      // After the first part: the parts not yet started now read past the end of the file.
      onProgress: () => {
        truncateSync(shrinking, 12 * MIB);
      },
    });
    const error = await upload.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BucketError);
    expect((error as BucketError).code).toBe('InvalidArgument');
    expect((error as BucketError).message).toMatch(/ended after \d+ bytes/);
    expect(await pendingUploads()).toBe(0);
    expect(await service.fileExists(bucket, 'big/shrinking.bin')).toBe(false);
  });

  it('an upload whose signal fired before it began makes no request', async () => {
    const error = await service
      .putObject(bucket, 'never', 'x', { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BucketError);
    expect((error as BucketError).code).toBe('Aborted');
    expect(await service.fileExists(bucket, 'never')).toBe(false);
  });

  it('aborting a download midway leaves no file, and an existing destination intact', async () => {
    const destination = join(folder.path, 'kept.out');
    await writeFile(destination, 'precious');
    const controller = new AbortController();
    const download = service.downloadFile(bucket, 'big/fifty.bin', destination, {
      partSizeBytes: 5 * MIB,
      signal: controller.signal,
      onProgress: ({ loaded }) => {
        if (loaded > 6 * MIB) controller.abort();
      },
    });
    expect(await errorCodeOf(download)).toBe('Aborted');
    expect(await readFile(destination, 'utf8')).toBe('precious');
    const fresh = join(folder.path, 'fresh.out');
    const second = new AbortController();
    const again = service.downloadFile(bucket, 'big/fifty.bin', fresh, {
      partSizeBytes: 5 * MIB,
      signal: second.signal,
      onProgress: () => {
        second.abort();
      },
    });
    expect(await errorCodeOf(again)).toBe('Aborted');
    expect(existsSync(fresh)).toBe(false);
  });

  it('rejects part sizes and concurrency out of bounds before any request', async () => {
    const out = join(folder.path, 'x.out');
    expect(await errorCodeOf(service.uploadFile(bucket, fifty, 'k', { partSizeBytes: 1024 }))).toBe(
      'InvalidArgument',
    );
    expect(
      await errorCodeOf(service.downloadFile(bucket, 'big/fifty.bin', out, { concurrency: 0 })),
    ).toBe('InvalidArgument');
  });

  it('deleteBucket with force removes the objects and aborts unfinished multipart uploads', async () => {
    const doomed = uniqueBucketName('force');
    await service.createBucket(doomed);
    await service.putObject(doomed, 'a', 'a');
    await service.putObject(doomed, 'dir/b', 'b');
    await raw.send(new CreateMultipartUploadCommand({ Bucket: doomed, Key: 'unfinished' }));
    expect(await errorCodeOf(service.deleteBucket(doomed))).toBe('BucketNotEmpty');
    await service.deleteBucket(doomed, { force: true });
    expect(await service.getBucketNames()).not.toContain(doomed);
  });

  it('a presigned GET URL downloads with plain fetch', async () => {
    await service.putObject(bucket, 'shared/hello.txt', 'hello, fetch', {
      contentType: 'text/plain',
    });
    const url = await service.getPresignedUrl(bucket, 'shared/hello.txt', { expiresIn: 60 });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello, fetch');
  });

  it('a presigned PUT URL uploads with plain fetch, and carries no SDK checksum parameter', async () => {
    const url = await service.getPresignedUrl(bucket, 'shared/put é.txt', {
      method: 'PUT',
      expiresIn: 60,
    });
    expect(url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum-algorithm/i);
    const response = await fetch(url, { method: 'PUT', body: 'uploaded by fetch' });
    expect(response.status).toBe(200);
    const got = await service.getObject(bucket, 'shared/put é.txt');
    expect(Buffer.concat(await got.body.toArray()).toString()).toBe('uploaded by fetch');
  });

  it('rejects a presigned URL lifetime beyond 7 days', async () => {
    expect(await errorCodeOf(service.getPresignedUrl(bucket, 'k', { expiresIn: 604_801 }))).toBe(
      'InvalidArgument',
    );
  });
  it('refuses a file or a stream of known length above 5 TiB before any request, naming the size and the rule', async () => {
    // A sparse file: 5 TiB + 1 byte long, no disk used.
    const huge = join(folder.path, 'huge.img');
    await writeFile(huge, '');
    truncateSync(huge, 5 * 1024 ** 4 + 1);
    const missing = uniqueBucketName('never-made');
    for (const attempt of [
      () => service.uploadFile(missing, huge, 'huge.img'),
      () =>
        service.putObject(missing, 'huge.img', Readable.from([]), {
          contentLength: 5 * 1024 ** 4 + 1,
        }),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (thrown: unknown) => thrown as BucketError,
      );
      // NoSuchBucket would mean that a request went out.
      expect(error?.code).toBe('InvalidArgument');
      expect(error?.message).toContain(`size = ${5 * 1024 ** 4 + 1} bytes`);
      expect(error?.message).toContain('at most 5 TiB');
    }
    expect(await pendingUploads()).toBe(0);
  });
});
