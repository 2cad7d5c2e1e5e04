import { BucketNotFoundError, BucketValidationError } from 'nest-bucket';
import { bucketErrorOf } from '../support/bucket-errors';
import { md5 } from '../support/files';
import { uniqueBucketName } from '../support/s3';
import { collect, expectBucketError, type ContractContext } from './shared';

/**
 * Lazy listings (`listFiles`) with prefixes, delimiters and pages, and `listFolders`.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describeListingContract(context: () => ContractContext): void {
  describe('listing', () => {
    const keys = ['a.txt', 'photos/2023/x.jpg', 'photos/2024/y.jpg', 'photos/top.jpg', 'z.txt'];
    let listed: string;

    beforeAll(async () => {
      const { service } = context();
      listed = uniqueBucketName('list');
      await service.createBucket(listed);
      for (const key of keys) await service.putObject(listed, key, key);
    });

    afterAll(async () => {
      const { service } = context();
      await service.deleteBucket(listed, { force: true });
    });

    it('listFiles yields key, size, lastModified and etag for every object, in byte order', async () => {
      const { service } = context();
      const files = await collect(service.listFiles(listed));
      expect(files.map((f) => f.key)).toEqual(keys);
      expect(files[0]).toEqual({
        key: 'a.txt',
        size: 5,
        lastModified: expect.any(Date) as Date,
        etag: md5('a.txt'),
      });
      // Listings may carry milliseconds (Ceph RGW) or not (AWS); the second is the same as HEAD's.
      const head = await service.getBucketFile(listed, 'a.txt');
      expect(Math.floor(files[0].lastModified.getTime() / 1000) * 1000).toBe(
        head.lastModified.getTime(),
      );
    });

    it('listFiles with a prefix and a delimiter lists one level; listFolders gives the groups', async () => {
      const { service } = context();
      const level = await collect(service.listFiles(listed, { prefix: 'photos/', delimiter: '/' }));
      expect(level.map((f) => f.key)).toEqual(['photos/top.jpg']);
      const top = await collect(service.listFiles(listed, { delimiter: '/' }));
      expect(top.map((f) => f.key)).toEqual(['a.txt', 'z.txt']);
      expect(await service.listFolders(listed, { prefix: 'photos/' })).toEqual([
        'photos/2023/',
        'photos/2024/',
      ]);
      expect(await service.listFolders(listed)).toEqual(['photos/']);
      expect(await service.listFolders(listed, { prefix: 'photos' })).toEqual(['photos/']);
      expect(await service.listFolders(listed, { delimiter: '.' })).toEqual([
        'a.',
        'photos/2023/x.',
        'photos/2024/y.',
        'photos/top.',
        'z.',
      ]);
      expect(await service.listFolders(listed, { prefix: 'a.txt' })).toEqual([]);
    });

    it('listFiles pages through small pages, the same with a delimiter, and can stop early', async () => {
      const { service } = context();
      const seen: string[] = [];
      for await (const file of service.listFiles(listed, { pageSize: 2 })) {
        seen.push(file.key);
        if (seen.length === 3) break;
      }
      expect(seen).toEqual(['a.txt', 'photos/2023/x.jpg', 'photos/2024/y.jpg']);
      const paged = await collect(service.listFiles(listed, { pageSize: 1, delimiter: '/' }));
      expect(paged.map((f) => f.key)).toEqual(['a.txt', 'z.txt']);
    });

    it('listFiles checks nothing until the first iteration, then its bucket, pageSize and bucket', async () => {
      const { service } = context();
      const invalid = service.listFiles('Not_Valid');
      const missing = uniqueBucketName('nolist');
      expectBucketError(
        await bucketErrorOf(collect(invalid)),
        'InvalidBucketName',
        BucketValidationError,
        { operation: 'listFiles' },
      );
      for (const pageSize of [0, 1001, 2.5])
        expectBucketError(
          await bucketErrorOf(collect(service.listFiles(listed, { pageSize }))),
          'InvalidArgument',
          BucketValidationError,
          { operation: 'listFiles', bucket: listed },
        );
      expectBucketError(
        await bucketErrorOf(collect(service.listFiles(missing))),
        'NoSuchBucket',
        BucketNotFoundError,
        { operation: 'listFiles', bucket: missing },
      );
      expectBucketError(
        await bucketErrorOf(service.listFolders(missing)),
        'NoSuchBucket',
        BucketNotFoundError,
        { operation: 'listFolders', bucket: missing },
      );
    });
  });
}
