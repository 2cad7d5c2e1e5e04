import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BucketError } from 'nest-bucket';
import { errorCodeOf } from '../support/bucket-errors';
import { uniqueBucketName } from '../support/s3';
import { dropBucket, type ContractContext } from './shared';

/**
 * Creating, listing and deleting buckets, and the rules for bucket names.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describeBucketsContract(context: () => ContractContext): void {
  describe('buckets', () => {
    it('creates a bucket that getBucketNames then lists, and deletes it', async () => {
      const { service } = context();
      const name = uniqueBucketName('create');
      await service.createBucket(name);
      expect(await service.getBucketNames()).toContain(name);
      await service.deleteBucket(name);
      expect(await service.getBucketNames()).not.toContain(name);
    });

    it('rejects creating a bucket that exists with BucketAlreadyExists', async () => {
      const { service, bucket } = context();
      expect(await errorCodeOf(service.createBucket(bucket))).toBe('BucketAlreadyExists');
    });

    it('rejects deleting a missing bucket with NoSuchBucket', async () => {
      const { service } = context();
      expect(await errorCodeOf(service.deleteBucket(uniqueBucketName('missing')))).toBe(
        'NoSuchBucket',
      );
    });

    it('rejects deleting a bucket that holds a file with BucketNotEmpty, and keeps the file', async () => {
      const { service, folder } = context();
      const name = uniqueBucketName('full');
      await service.createBucket(name);
      const source = join(folder.path, 'keep.txt');
      await writeFile(source, 'keep me');
      await service.uploadFile(name, source);
      expect(await errorCodeOf(service.deleteBucket(name))).toBe('BucketNotEmpty');
      expect(await service.getBucketFiles(name)).toEqual(['keep.txt']);
      await dropBucket(service, name);
    });

    it.each([
      ['', 'empty'],
      ['ab', 'too short'],
      ['a'.repeat(64), 'too long'],
      ['Uppercase', 'uppercase'],
      ['under_score', 'underscore'],
      ['192.168.1.1', 'IP-address form'],
      ['-leading', 'leading dash'],
      ['trailing-', 'trailing dash'],
      ['xn--prefixed', 'xn-- prefix'],
    ])('rejects the bucket name %j (%s) with InvalidBucketName naming the value', async (name) => {
      const { service } = context();
      const error = await service.createBucket(name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BucketError);
      expect((error as BucketError).code).toBe('InvalidBucketName');
      expect((error as BucketError).message).toContain(JSON.stringify(name));
    });

    it('lists bucket names in byte order', async () => {
      const { service } = context();
      const stamp = uniqueBucketName('order').slice('nbt-order-'.length);
      const names = [`nbt-o-b-${stamp}`, `nbt-o.a-${stamp}`, `nbt-o-a-${stamp}`];
      for (const name of names) await service.createBucket(name);
      const listed = await service.getBucketNames();
      expect(listed).toEqual(expect.arrayContaining(names));
      expect(listed).toEqual(
        [...listed].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
      const ours = listed.filter((name) => names.includes(name));
      expect(ours).toEqual([`nbt-o-a-${stamp}`, `nbt-o-b-${stamp}`, `nbt-o.a-${stamp}`]);
      for (const name of names) await service.deleteBucket(name);
    });

    it('lists nothing in a new bucket, and deletes a bucket once it is emptied', async () => {
      const { service } = context();
      const name = uniqueBucketName('emptied');
      await service.createBucket(name);
      expect(await service.getBucketFiles(name)).toEqual([]);
      await service.putObject(name, 'only', 'x');
      await service.deleteFile(name, 'only');
      await service.deleteBucket(name);
      expect(await service.getBucketNames()).not.toContain(name);
    });
  });
}
