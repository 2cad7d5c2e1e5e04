import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { BucketIntegrityError } from 'nest-bucket';
import { bucketErrorOf, errorCodeOf } from '../support/bucket-errors';
import { expectBucketError, type ContractContext } from './shared';

/**
 * Downloads whose bytes do not match the object fail with IntegrityError.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describeIntegrityContract(context: () => ContractContext): void {
  describe('integrity', () => {
    it('fails a download whose bytes do not match the object with IntegrityError, leaving no file and an existing one intact, and reads it once the bytes are good again', async () => {
      const { subject, service, bucket, folder } = context();
      const content = Buffer.alloc(64 * 1024, 13);
      const key = 'integrity/corrupted.bin';
      await service.putObject(bucket, key, content);
      const fresh = join(folder.path, 'corrupted.out');
      const existing = join(folder.path, 'corrupted-existing.out');
      await writeFile(existing, 'precious');
      const corruption = subject.corruptDownloads(bucket, key);
      try {
        expectBucketError(
          await bucketErrorOf(service.downloadFile(bucket, key, fresh)),
          'IntegrityError',
          BucketIntegrityError,
          { operation: 'downloadFile', bucket, key },
        );
        expect(existsSync(fresh)).toBe(false);
        expect(await errorCodeOf(service.downloadFile(bucket, key, existing))).toBe(
          'IntegrityError',
        );
        expect(await readFile(existing, 'utf8')).toBe('precious');
        // The real service finds out while the body is read; the fake, at the call.
        const read = service
          .getObject(bucket, key)
          .then(({ body }) => buffer(body as AsyncIterable<Buffer>));
        expect(await errorCodeOf(read)).toBe('IntegrityError');
      } finally {
        corruption.restore();
      }
      await service.downloadFile(bucket, key, fresh);
      expect((await readFile(fresh)).equals(content)).toBe(true);
    });
  });
}
