import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import {
  BucketAbortedError,
  BucketNotFoundError,
  BucketValidationError,
  type BucketErrorCode,
  type BucketErrorContext,
  type TransferProgress,
} from 'nest-bucket';
import { bucketErrorOf, errorCodeOf } from '../support/bucket-errors';
import { md5 } from '../support/files';
import { uniqueBucketName } from '../support/s3';
import { MIB, expectBucketError, multipartEtag, type ContractContext } from './shared';

/**
 * Batch deletion, copies (in one request and in parts) and moves.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describeDeleteCopyMoveContract(context: () => ContractContext): void {
  describe('batch deletion, copy and move', () => {
    it('deleteFiles deletes 2,500 keys (three batches) and reports them all', async () => {
      const { service } = context();
      const many = uniqueBucketName('many2500');
      await service.createBucket(many);
      const keys = Array.from({ length: 2500 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      for (let i = 0; i < keys.length; i += 100) {
        await Promise.all(keys.slice(i, i + 100).map((key) => service.putObject(many, key, 'x')));
      }
      expect(await service.getBucketFiles(many)).toHaveLength(2500);
      const result = await service.deleteFiles(many, keys);
      expect(result.failed).toEqual([]);
      expect(result.deleted).toHaveLength(2500);
      expect(await service.getBucketFiles(many)).toEqual([]);
      await service.deleteBucket(many);
    });

    it('deleteFiles counts repeated keys once and missing keys as deleted', async () => {
      const { service, bucket } = context();
      await service.putObject(bucket, 'batch/x', 'x');
      await service.putObject(bucket, 'batch/y', 'y');
      expect(
        await service.deleteFiles(bucket, ['batch/x', 'batch/x', 'batch/absent', 'batch/y']),
      ).toEqual({ deleted: ['batch/x', 'batch/absent', 'batch/y'], failed: [] });
      expect(await service.getBucketFiles(bucket, 'batch/')).toEqual([]);
    });

    it('deleteFiles checks every key before any request, and needs none for no keys', async () => {
      const { service, bucket } = context();
      await service.putObject(bucket, 'batch/survivor', 's');
      expect(await errorCodeOf(service.deleteFiles(bucket, ['batch/survivor', '']))).toBe(
        'InvalidKey',
      );
      expect(await service.fileExists(bucket, 'batch/survivor')).toBe(true);
      const missing = uniqueBucketName('nodelete');
      expect(await service.deleteFiles(missing, [])).toEqual({ deleted: [], failed: [] });
      expectBucketError(
        await bucketErrorOf(service.deleteFiles(missing, ['k'])),
        'NoSuchBucket',
        BucketNotFoundError,
        { operation: 'deleteFiles', bucket: missing },
      );
      const aborted = await bucketErrorOf(
        service.deleteFiles(bucket, ['batch/survivor'], { signal: AbortSignal.abort() }),
      );
      expect(aborted).toBeInstanceOf(BucketAbortedError);
      expect(await service.fileExists(bucket, 'batch/survivor')).toBe(true);
    });

    it('copyFile copies bytes, content type and metadata, with the same ETag; moveFile removes the source', async () => {
      const { service, bucket } = context();
      const other = uniqueBucketName('copy');
      await service.createBucket(other);
      await service.putObject(bucket, 'src/é file.txt', 'copy me', {
        contentType: 'text/plain',
        metadata: { origin: 'test' },
      });
      const copied = await service.copyFile(bucket, 'src/é file.txt', other, 'dst/copy.txt');
      expect(copied).toEqual({ bucket: other, key: 'dst/copy.txt', etag: md5('copy me') });
      const copy = await service.getBucketFile(other, 'dst/copy.txt');
      expect(copy).toMatchObject({
        size: 7,
        etag: md5('copy me'),
        contentType: 'text/plain',
        metadata: { origin: 'test' },
      });
      const got = await service.getObject(other, 'dst/copy.txt');
      expect((await buffer(got.body)).toString()).toBe('copy me');
      await service.moveFile(other, 'dst/copy.txt', other, 'dst/moved.txt');
      expect(await service.fileExists(other, 'dst/copy.txt')).toBe(false);
      expect(await service.getBucketFile(other, 'dst/moved.txt')).toMatchObject({
        size: 7,
        contentType: 'text/plain',
        metadata: { origin: 'test' },
      });
      expect(await service.moveFile(other, 'dst/moved.txt', other, 'dst/moved.txt')).toEqual({
        bucket: other,
        key: 'dst/moved.txt',
        etag: md5('copy me'),
      });
      expect(await service.getBucketFiles(other)).toEqual(['dst/moved.txt']);
      await service.deleteBucket(other, { force: true });
    });

    it('copyFile with new metadata and content type replaces both', async () => {
      const { service, bucket } = context();
      await service.putObject(bucket, 'src/replace', 'r', {
        contentType: 'text/plain',
        metadata: { version: '1', keep: 'no' },
      });
      await service.copyFile(bucket, 'src/replace', bucket, 'src/replaced', {
        metadata: { Version: '2' },
        contentType: 'text/html',
      });
      expect(await service.getBucketFile(bucket, 'src/replaced')).toMatchObject({
        contentType: 'text/html',
        metadata: { version: '2' },
      });
      expect((await service.getBucketFile(bucket, 'src/replace')).metadata).toEqual({
        version: '1',
        keep: 'no',
      });
    });

    it('copyFile above its multipart threshold copies in parts, across buckets: equal bytes, a multipart ETag, the same content type and metadata, progress up to the total; moveFile in parts removes the source', async () => {
      const { service, bucket } = context();
      const other = uniqueBucketName('copyparts');
      await service.createBucket(other);
      const data = randomBytes(12 * MIB + 3);
      await service.putObject(bucket, 'big/source.bin', data, {
        contentType: 'video/mp4',
        metadata: { origin: 'camera' },
      });
      const events: TransferProgress[] = [];
      const copied = await service.copyFile(bucket, 'big/source.bin', other, 'big/copy.bin', {
        multipartThresholdBytes: 5 * MIB,
        partSizeBytes: 5 * MIB,
        onProgress: (progress) => events.push(progress),
      });
      expect(copied).toEqual({
        bucket: other,
        key: 'big/copy.bin',
        etag: multipartEtag(data, 5 * MIB),
      });
      expect(copied.etag).toMatch(/-3$/);
      const got = await service.getObject(other, 'big/copy.bin');
      expect(md5(await buffer(got.body))).toBe(md5(data));
      expect(await service.getBucketFile(other, 'big/copy.bin')).toMatchObject({
        size: data.length,
        etag: copied.etag,
        contentType: 'video/mp4',
        metadata: { origin: 'camera' },
      });
      expect(events.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < events.length; i++)
        expect(events[i].loaded).toBeGreaterThan(events[i - 1].loaded);
      expect(events.at(-1)).toEqual({ loaded: data.length, total: data.length });

      const moved = await service.moveFile(other, 'big/copy.bin', other, 'big/moved.bin', {
        multipartThresholdBytes: 5 * MIB,
        partSizeBytes: 6 * MIB,
      });
      expect(moved.etag).toBe(multipartEtag(data, 6 * MIB));
      expect(await service.fileExists(other, 'big/copy.bin')).toBe(false);
      const movedBack = await service.getObject(other, 'big/moved.bin');
      expect(md5(await buffer(movedBack.body))).toBe(md5(data));
      // At or below the threshold, one CopyObject: the ETag is the source's.
      const small = await service.copyFile(bucket, 'big/source.bin', other, 'big/one.bin', {
        multipartThresholdBytes: data.length,
      });
      expect(small.etag).toBe(md5(data));
      await service.deleteBucket(other, { force: true });
    });

    it('copyFile in parts with new metadata and content type replaces both', async () => {
      const { service, bucket } = context();
      const data = randomBytes(6 * MIB);
      await service.putObject(bucket, 'big/replace.bin', data, {
        contentType: 'text/plain',
        metadata: { version: '1', keep: 'no' },
      });
      await service.copyFile(bucket, 'big/replace.bin', bucket, 'big/replaced.bin', {
        multipartThresholdBytes: 5 * MIB,
        metadata: { Version: '2' },
        contentType: 'application/x-tar',
      });
      const replaced = await service.getBucketFile(bucket, 'big/replaced.bin');
      expect(replaced).toMatchObject({ contentType: 'application/x-tar', size: data.length });
      expect(replaced.metadata).toEqual({ version: '2' });
    });

    it('an aborted copy in parts rejects with Aborted and stores nothing; an aborted move keeps its source', async () => {
      const { service, bucket } = context();
      const data = randomBytes(11 * MIB);
      await service.putObject(bucket, 'big/abort-source.bin', data);
      for (const move of [false, true]) {
        const controller = new AbortController();
        const options = {
          multipartThresholdBytes: 5 * MIB,
          partSizeBytes: 5 * MIB,
          concurrency: 1,
          signal: controller.signal,
          onProgress: () => {
            controller.abort();
          },
        };
        const run = move ? service.moveFile.bind(service) : service.copyFile.bind(service);
        const error = await bucketErrorOf(
          run(bucket, 'big/abort-source.bin', bucket, 'big/abort-copy.bin', options),
        );
        expect(error).toBeInstanceOf(BucketAbortedError);
        expect(await service.fileExists(bucket, 'big/abort-copy.bin')).toBe(false);
        const source = await service.getObject(bucket, 'big/abort-source.bin');
        expect(md5(await buffer(source.body))).toBe(md5(data));
      }
    });

    it('copyFile and moveFile refuse a multipartThresholdBytes outside 5 MiB to 5 GiB before any request', async () => {
      const { service, bucket } = context();
      for (const run of [service.copyFile.bind(service), service.moveFile.bind(service)]) {
        const error = await bucketErrorOf(
          run(bucket, 'never/there', bucket, 'never/copy', { multipartThresholdBytes: 1024 }),
        );
        expect(error).toBeInstanceOf(BucketValidationError);
        expect(error.code).toBe('InvalidArgument');
        expect(error.message).toContain('multipartThresholdBytes = 1024');
        expect(error.message).toContain('from 5242880 to 5368709120');
      }
    });

    it('copyFile and moveFile report a missing source or destination against the source', async () => {
      const { service, bucket } = context();
      const missing = uniqueBucketName('nocopy');
      await service.putObject(bucket, 'src/exists', 'e');
      const cases: [() => Promise<unknown>, BucketErrorCode, BucketErrorContext][] = [
        [
          () => service.copyFile(bucket, 'src/none', bucket, 'x'),
          'NoSuchKey',
          { operation: 'copyFile', bucket, key: 'src/none' },
        ],
        [
          () => service.copyFile(missing, 'k', bucket, 'x'),
          'NoSuchBucket',
          { operation: 'copyFile', bucket: missing, key: 'k' },
        ],
        [
          () => service.copyFile(bucket, 'src/exists', missing, 'x'),
          'NoSuchBucket',
          { operation: 'copyFile', bucket, key: 'src/exists' },
        ],
        [
          () => service.moveFile(bucket, 'src/none', bucket, 'x'),
          'NoSuchKey',
          { operation: 'moveFile', bucket, key: 'src/none' },
        ],
      ];
      for (const [attempt, code, context] of cases)
        expectBucketError(await bucketErrorOf(attempt()), code, BucketNotFoundError, context);
      expect(await service.fileExists(bucket, 'x')).toBe(false);
      expect(await errorCodeOf(service.copyFile(bucket, 'src/exists', bucket, ''))).toBe(
        'InvalidKey',
      );
    });

    it('deleteBucket with force deletes a bucket and its objects; without, BucketNotEmpty', async () => {
      const { service } = context();
      const doomed = uniqueBucketName('force');
      await service.createBucket(doomed);
      await service.putObject(doomed, 'a', 'a');
      await service.putObject(doomed, 'dir/b', 'b');
      expect(await errorCodeOf(service.deleteBucket(doomed))).toBe('BucketNotEmpty');
      await service.deleteBucket(doomed, { force: true });
      expect(await service.getBucketNames()).not.toContain(doomed);
      expect(await errorCodeOf(service.deleteBucket(doomed, { force: true }))).toBe('NoSuchBucket');
    });
  });
}
