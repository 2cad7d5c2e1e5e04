import { BucketValidationError } from 'nest-bucket';
import { collect, type ContractContext } from './shared';

/**
 * Bucket handles: the file operations on one bucket.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describeBucketHandlesContract(context: () => ContractContext): void {
  describe('bucket handles', () => {
    it('bucket(name) gives the file operations on one bucket; an invalid name throws at once', async () => {
      const { service, bucket } = context();
      const handle = service.bucket(bucket);
      expect(handle.name).toBe(bucket);
      await handle.putObject('handle/a.txt', 'via handle', { contentType: 'text/plain' });
      expect(await handle.fileExists('handle/a.txt')).toBe(true);
      expect(await handle.getFiles('handle/')).toEqual(['handle/a.txt']);
      expect(await handle.getFile('handle/a.txt')).toMatchObject({
        size: 10,
        contentType: 'text/plain',
      });
      await handle.copyFile('handle/a.txt', 'handle/b.txt');
      await handle.moveFile('handle/b.txt', 'handle/c.txt');
      expect((await collect(handle.listFiles({ prefix: 'handle/' }))).map((f) => f.key)).toEqual([
        'handle/a.txt',
        'handle/c.txt',
      ]);
      expect(await handle.deleteFiles(['handle/a.txt', 'handle/c.txt'])).toEqual({
        deleted: ['handle/a.txt', 'handle/c.txt'],
        failed: [],
      });
      expect(() => service.bucket('Not_Valid')).toThrow(BucketValidationError);
    });
  });
}
