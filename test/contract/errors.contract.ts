import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  BucketConflictError,
  BucketError,
  BucketLocalFileError,
  BucketNotFoundError,
  BucketValidationError,
  type BucketErrorCode,
  type BucketErrorContext,
} from 'nest-bucket';
import { bucketErrorOf, errorCodeOf } from '../support/bucket-errors';
import { uniqueBucketName } from '../support/s3';
import { dropBucket, expectBucketError, type ContractContext } from './shared';

/**
 * The errors of every operation: codes, classes, context and messages; local file errors.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describeErrorsContract(context: () => ContractContext): void {
  describe('errors', () => {
    it('reports a missing key as NoSuchKey and a missing bucket as NoSuchBucket', async () => {
      const { service, bucket } = context();
      expect(await errorCodeOf(service.getBucketFile(bucket, 'no/such/key'))).toBe('NoSuchKey');
      const missing = uniqueBucketName('nobucket');
      expect(await errorCodeOf(service.getBucketFile(missing, 'key'))).toBe('NoSuchBucket');
      expect(await errorCodeOf(service.getBucketFiles(missing))).toBe('NoSuchBucket');
    });

    it('names the bucket and the key in the message', async () => {
      const { service, bucket } = context();
      const error = (await service
        .getBucketFile(bucket, 'absent.txt')
        .catch((e: unknown) => e)) as BucketError;
      expect(error.message).toContain(JSON.stringify(bucket));
      expect(error.message).toContain('"absent.txt"');
      expect(error).toMatchObject({
        code: 'NoSuchKey',
        bucket,
        key: 'absent.txt',
        operation: 'getBucketFile',
      });
    });

    it('downloading a missing key leaves no file and keeps an existing destination intact', async () => {
      const { service, bucket, folder } = context();
      const fresh = join(folder.path, 'never.out');
      expect(await errorCodeOf(service.downloadFile(bucket, 'absent', fresh))).toBe('NoSuchKey');
      expect(existsSync(fresh)).toBe(false);
      const existing = join(folder.path, 'existing.out');
      await writeFile(existing, 'precious');
      expect(await errorCodeOf(service.downloadFile(bucket, 'absent', existing))).toBe('NoSuchKey');
      expect(await readFile(existing, 'utf8')).toBe('precious');
    });

    it('rejects a missing source file with LocalFileError', async () => {
      const { service, bucket, folder } = context();
      expect(
        await errorCodeOf(service.uploadFile(bucket, join(folder.path, 'nope.bin'), 'nope')),
      ).toBe('LocalFileError');
      expect(await errorCodeOf(service.getBucketFile(bucket, 'nope'))).toBe('NoSuchKey');
    });

    it('rejects a directory as source and as destination with LocalFileError', async () => {
      const { service, bucket, folder } = context();
      const dir = join(folder.path, 'a-dir');
      await mkdir(dir);
      expect(await errorCodeOf(service.uploadFile(bucket, dir, 'dir'))).toBe('LocalFileError');
      expect(await errorCodeOf(service.downloadFile(bucket, 'report.csv', dir))).toBe(
        'LocalFileError',
      );
    });

    it('rejects a destination whose folder does not exist with LocalFileError', async () => {
      const { service, bucket, folder } = context();
      const destination = join(folder.path, 'no', 'such', 'folder', 'file');
      expect(await errorCodeOf(service.downloadFile(bucket, 'report.csv', destination))).toBe(
        'LocalFileError',
      );
      expect(existsSync(join(folder.path, 'no'))).toBe(false);
    });

    it.each([
      ['empty', ''],
      ['over 1,024 bytes', 'k'.repeat(1025)],
      ['over 1,024 UTF-8 bytes in 513 characters', 'é'.repeat(513)],
      ['with a control character', 'line\nbreak'],
    ])('rejects a key %s with InvalidKey', async (_label, key) => {
      const { service, bucket } = context();
      expect(await errorCodeOf(service.getBucketFile(bucket, key))).toBe('InvalidKey');
      expect(await errorCodeOf(service.deleteFile(bucket, key))).toBe('InvalidKey');
    });

    it('reports a missing bucket as NoSuchBucket on every operation, and writes no file', async () => {
      const { service, folder } = context();
      const missing = uniqueBucketName('absent');
      const source = join(folder.path, 'to-absent.txt');
      await writeFile(source, 'x');
      const destination = join(folder.path, 'from-absent.out');
      expect(await errorCodeOf(service.deleteFile(missing, 'k'))).toBe('NoSuchBucket');
      expect(await errorCodeOf(service.uploadFile(missing, source, 'k'))).toBe('NoSuchBucket');
      expect(await errorCodeOf(service.downloadFile(missing, 'k', destination))).toBe(
        'NoSuchBucket',
      );
      expect(existsSync(destination)).toBe(false);
      expect(await errorCodeOf(service.getBucketFiles(missing, 'p/'))).toBe('NoSuchBucket');
      expect(
        await errorCodeOf(service.putObject(missing, 'k', Readable.from([Buffer.from('x')]))),
      ).toBe('NoSuchBucket');
    });

    it('gives each error its class, operation, bucket and key, and BucketService’s message', async () => {
      const { service, bucket, folder } = context();
      const missing = uniqueBucketName('ctx');
      const full = uniqueBucketName('ctx-full');
      await service.createBucket(full);
      await service.putObject(full, 'k', 'v');
      await service.putObject(bucket, 'obj/ctx', 'abc');
      const cases: [
        () => Promise<unknown>,
        BucketErrorCode,
        typeof BucketError,
        BucketErrorContext,
      ][] = [
        [
          () => service.getObject(bucket, 'obj/absent'),
          'NoSuchKey',
          BucketNotFoundError,
          { operation: 'getObject', bucket, key: 'obj/absent' },
        ],
        [
          () => service.getBucketFile(bucket, 'obj/absent'),
          'NoSuchKey',
          BucketNotFoundError,
          { operation: 'getBucketFile', bucket, key: 'obj/absent' },
        ],
        // A HEAD answer has no body: a second request finds that the bucket is what is missing.
        [
          () => service.getBucketFile(missing, 'k'),
          'NoSuchBucket',
          BucketNotFoundError,
          { operation: 'getBucketFile', bucket: missing, key: 'k' },
        ],
        [
          () => service.fileExists(missing, 'k'),
          'NoSuchBucket',
          BucketNotFoundError,
          { operation: 'fileExists', bucket: missing, key: 'k' },
        ],
        [
          () => service.getObject(missing, 'k'),
          'NoSuchBucket',
          BucketNotFoundError,
          { operation: 'getObject', bucket: missing, key: 'k' },
        ],
        [
          () => service.deleteFile(missing, 'k'),
          'NoSuchBucket',
          BucketNotFoundError,
          { operation: 'deleteFile', bucket: missing, key: 'k' },
        ],
        [
          () => service.getBucketFiles(missing),
          'NoSuchBucket',
          BucketNotFoundError,
          { operation: 'getBucketFiles', bucket: missing },
        ],
        [
          () => service.deleteBucket(missing),
          'NoSuchBucket',
          BucketNotFoundError,
          { operation: 'deleteBucket', bucket: missing },
        ],
        [
          () => service.deleteBucket(full),
          'BucketNotEmpty',
          BucketConflictError,
          { operation: 'deleteBucket', bucket: full },
        ],
        [
          () => service.createBucket(full),
          'BucketAlreadyExists',
          BucketConflictError,
          { operation: 'createBucket', bucket: full },
        ],
        [
          () => service.getObject(bucket, 'obj/ctx', { range: { start: 3 } }),
          'InvalidRange',
          BucketValidationError,
          { operation: 'getObject', bucket, key: 'obj/ctx' },
        ],
        [
          () => service.getObject(bucket, 'obj/ctx', { range: 'bytes=2-1' }),
          'InvalidRange',
          BucketValidationError,
          { operation: 'getObject', bucket, key: 'obj/ctx' },
        ],
        [
          () => service.getBucketFile(bucket, ''),
          'InvalidKey',
          BucketValidationError,
          { operation: 'getBucketFile', bucket },
        ],
        [
          () => service.createBucket('Not_Valid'),
          'InvalidBucketName',
          BucketValidationError,
          { operation: 'createBucket' },
        ],
        [
          () => service.uploadFile(bucket, join(folder.path, 'absent.bin'), 'k'),
          'LocalFileError',
          BucketLocalFileError,
          { operation: 'uploadFile', bucket, key: 'k' },
        ],
        [
          () => service.downloadFile(bucket, 'obj/ctx', join(folder.path, 'none', 'x')),
          'LocalFileError',
          BucketLocalFileError,
          { operation: 'downloadFile', bucket, key: 'obj/ctx' },
        ],
      ];
      for (const [attempt, code, ErrorClass, context] of cases)
        expectBucketError(await bucketErrorOf(attempt()), code, ErrorClass, context);
      await dropBucket(service, full);
    });
  });
}
