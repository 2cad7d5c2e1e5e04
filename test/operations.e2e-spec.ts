import type { TestingModule } from '@nestjs/testing';
import type { BucketService, ListedFile } from 'nest-bucket';
import { errorCodeOf } from './contract/bucket-service.contract';
import { bootBucketModule, uniqueBucketName } from './support/s3';

// The operations added for large objects and listing at scale. To be folded into the shared
// contract suite, so that the in-memory fake is held to them too.
describe('listing, batch deletion, copy and move (real server)', () => {
  let module: TestingModule;
  let service: BucketService;
  let bucket: string;

  beforeAll(async () => {
    ({ module, service } = await bootBucketModule());
    bucket = uniqueBucketName('ops');
    await service.createBucket(bucket);
    for (const key of [
      'a.txt',
      'photos/2023/x.jpg',
      'photos/2024/y.jpg',
      'photos/top.jpg',
      'z.txt',
    ]) {
      await service.putObject(bucket, key, key);
    }
  });

  afterAll(async () => {
    await service.deleteBucket(bucket, { force: true });
    await module.close();
  });

  async function collect(iterable: AsyncIterable<ListedFile>): Promise<ListedFile[]> {
    const files: ListedFile[] = [];
    for await (const file of iterable) files.push(file);
    return files;
  }

  it('listFiles yields key, size, lastModified and etag for every object', async () => {
    const files = await collect(service.listFiles(bucket));
    expect(files.map((f) => f.key)).toEqual([
      'a.txt',
      'photos/2023/x.jpg',
      'photos/2024/y.jpg',
      'photos/top.jpg',
      'z.txt',
    ]);
    expect(files[0]).toEqual({
      key: 'a.txt',
      size: 5,
      lastModified: expect.any(Date) as Date,
      etag: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
    });
  });

  it('listFiles with a prefix and a delimiter lists one level; listFolders gives the groups', async () => {
    const level = await collect(service.listFiles(bucket, { prefix: 'photos/', delimiter: '/' }));
    expect(level.map((f) => f.key)).toEqual(['photos/top.jpg']);
    expect(await service.listFolders(bucket, { prefix: 'photos/' })).toEqual([
      'photos/2023/',
      'photos/2024/',
    ]);
    expect(await service.listFolders(bucket)).toEqual(['photos/']);
  });

  it('listFiles pages through small pages and can stop early', async () => {
    const seen: string[] = [];
    for await (const file of service.listFiles(bucket, { pageSize: 2 })) {
      seen.push(file.key);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['a.txt', 'photos/2023/x.jpg', 'photos/2024/y.jpg']);
  });

  it('listFiles of a missing bucket fails with NoSuchBucket on the first iteration', async () => {
    expect(await errorCodeOf(collect(service.listFiles(uniqueBucketName('none'))))).toBe(
      'NoSuchBucket',
    );
  });

  it('deleteFiles deletes 2,500 keys in batches and reports them all', async () => {
    const many = uniqueBucketName('many');
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

  it('deleteFiles checks every key before any request', async () => {
    await service.putObject(bucket, 'survivor', 's');
    expect(await errorCodeOf(service.deleteFiles(bucket, ['survivor', '']))).toBe('InvalidKey');
    expect(await service.fileExists(bucket, 'survivor')).toBe(true);
  });

  it('copyFile copies content and metadata; moveFile removes the source', async () => {
    await service.putObject(bucket, 'src/é file.txt', 'copy me', {
      contentType: 'text/plain',
      metadata: { origin: 'test' },
    });
    await service.copyFile(bucket, 'src/é file.txt', bucket, 'dst/copy.txt');
    const copy = await service.getBucketFile(bucket, 'dst/copy.txt');
    expect(copy).toMatchObject({
      size: 7,
      contentType: 'text/plain',
      metadata: { origin: 'test' },
    });
    await service.moveFile(bucket, 'dst/copy.txt', bucket, 'dst/moved.txt');
    expect(await service.fileExists(bucket, 'dst/copy.txt')).toBe(false);
    expect(await service.fileExists(bucket, 'dst/moved.txt')).toBe(true);
    expect(await errorCodeOf(service.copyFile(bucket, 'src/none', bucket, 'x'))).toBe('NoSuchKey');
  });
});
