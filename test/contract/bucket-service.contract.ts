import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { BucketError, type BucketErrorCode, type BucketService } from 'nest-bucket';
import { md5, sha256File, temporaryFolder, writeRandomFile } from '../support/files';
import { uniqueBucketName } from '../support/s3';

/** What a contract run needs: a service, and how to release it. */
export interface ContractSubject {
  service: BucketService;
  close(): Promise<void>;
}

/** Resolves with the error's code, or fails the test if the promise does not reject with a BucketError. */
export async function errorCodeOf(promise: Promise<unknown>): Promise<BucketErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BucketError) return error.code;
    throw error;
  }
  throw new Error('expected a BucketError, but the operation succeeded');
}

/** Empties and deletes a bucket through the service. */
async function dropBucket(service: BucketService, bucket: string): Promise<void> {
  const keys = await service.getBucketFiles(bucket).catch(() => undefined);
  if (keys === undefined) return;
  for (const key of keys) await service.deleteFile(bucket, key);
  await service.deleteBucket(bucket);
}

/**
 * The behaviour of `BucketService`, written once. It runs against the real local S3 server and
 * against any other implementation of the contract: a difference fails one of the runs.
 */
export function describeBucketServiceContract(
  label: string,
  createSubject: () => Promise<ContractSubject>,
): void {
  describe(`BucketService contract (${label})`, () => {
    let subject: ContractSubject;
    let service: BucketService;
    let bucket: string;
    let folder: { path: string; remove: () => Promise<void> };

    beforeAll(async () => {
      subject = await createSubject();
      service = subject.service;
      bucket = uniqueBucketName('contract');
      await service.createBucket(bucket);
      folder = await temporaryFolder();
    });

    afterAll(async () => {
      await dropBucket(service, bucket);
      await folder.remove();
      await subject.close();
    });

    describe('buckets', () => {
      it('creates a bucket that getBucketNames then lists, and deletes it', async () => {
        const name = uniqueBucketName('create');
        await service.createBucket(name);
        expect(await service.getBucketNames()).toContain(name);
        await service.deleteBucket(name);
        expect(await service.getBucketNames()).not.toContain(name);
      });

      it('rejects creating a bucket that exists with BucketAlreadyExists', async () => {
        expect(await errorCodeOf(service.createBucket(bucket))).toBe('BucketAlreadyExists');
      });

      it('rejects deleting a missing bucket with NoSuchBucket', async () => {
        expect(await errorCodeOf(service.deleteBucket(uniqueBucketName('missing')))).toBe(
          'NoSuchBucket',
        );
      });

      it('rejects deleting a bucket that holds a file with BucketNotEmpty, and keeps the file', async () => {
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
      ])(
        'rejects the bucket name %j (%s) with InvalidBucketName naming the value',
        async (name) => {
          const error = await service.createBucket(name).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(BucketError);
          expect((error as BucketError).code).toBe('InvalidBucketName');
          expect((error as BucketError).message).toContain(JSON.stringify(name));
        },
      );
    });

    describe('files', () => {
      it('round-trips a 20 MiB file with an equal sha256', async () => {
        const source = join(folder.path, 'twenty.bin');
        const destination = join(folder.path, 'twenty.out');
        await writeRandomFile(source, 20 * 1024 * 1024);
        const uploaded = await service.uploadFile(bucket, source, 'large/twenty.bin');
        expect(uploaded).toMatchObject({ bucket, key: 'large/twenty.bin', size: 20 * 1024 * 1024 });
        const downloaded = await service.downloadFile(bucket, 'large/twenty.bin', destination);
        expect(downloaded.size).toBe(20 * 1024 * 1024);
        expect(await sha256File(destination)).toBe(await sha256File(source));
        expect((await service.getBucketFile(bucket, 'large/twenty.bin')).size).toBe(
          20 * 1024 * 1024,
        );
      });

      it('round-trips a 0-byte file', async () => {
        const source = join(folder.path, 'empty.txt');
        await writeFile(source, '');
        await service.uploadFile(bucket, source, 'empty.txt');
        const destination = join(folder.path, 'empty.out');
        await service.downloadFile(bucket, 'empty.txt', destination);
        expect((await readFile(destination)).length).toBe(0);
        expect(await service.getBucketFile(bucket, 'empty.txt')).toMatchObject({
          size: 0,
          etag: md5(''),
        });
      });

      it('keeps a key with spaces, slashes and non-ASCII characters', async () => {
        const key = 'dossier été/naïve 文件 ☃.txt';
        const source = join(folder.path, 'unicode.txt');
        await writeFile(source, 'unicode body');
        await service.uploadFile(bucket, source, key);
        expect(await service.getBucketFiles(bucket, 'dossier été/')).toEqual([key]);
        const destination = join(folder.path, 'unicode.out');
        await service.downloadFile(bucket, key, destination);
        expect(await readFile(destination, 'utf8')).toBe('unicode body');
      });

      it("defaults the key to the file's base name", async () => {
        const source = join(folder.path, 'report.csv');
        await writeFile(source, 'a,b\n1,2\n');
        const result = await service.uploadFile(bucket, source);
        expect(result.key).toBe('report.csv');
        expect(await service.getBucketFiles(bucket, 'report')).toEqual(['report.csv']);
      });

      it('describes a file: key, size, last-modified, md5 ETag, guessed content type and metadata', async () => {
        const source = join(folder.path, 'page.html');
        const body = '<h1>hello</h1>';
        await writeFile(source, body);
        const before = Date.now();
        await service.uploadFile(bucket, source, 'docs/page.html', {
          metadata: { owner: 'alice' },
        });
        const info = await service.getBucketFile(bucket, 'docs/page.html');
        expect(info).toMatchObject({
          key: 'docs/page.html',
          size: Buffer.byteLength(body),
          etag: md5(body),
          contentType: 'text/html',
          metadata: { owner: 'alice' },
        });
        expect(info.lastModified.getTime()).toBeGreaterThan(before - 60_000);
      });

      it('stores an explicit content type', async () => {
        const source = join(folder.path, 'data.bin');
        await writeFile(source, 'xyz');
        await service.uploadFile(bucket, source, 'typed', { contentType: 'application/x-custom' });
        expect((await service.getBucketFile(bucket, 'typed')).contentType).toBe(
          'application/x-custom',
        );
      });

      it('deletes a file, after which it is gone; deleting it again succeeds', async () => {
        const source = join(folder.path, 'doomed.txt');
        await writeFile(source, 'bye');
        await service.uploadFile(bucket, source, 'doomed.txt');
        await service.deleteFile(bucket, 'doomed.txt');
        expect(await errorCodeOf(service.getBucketFile(bucket, 'doomed.txt'))).toBe('NoSuchKey');
        await expect(service.deleteFile(bucket, 'doomed.txt')).resolves.toBeUndefined();
      });

      it('lists 1,100 keys in full, past the 1,000-key page, in byte order', async () => {
        const name = uniqueBucketName('many');
        await service.createBucket(name);
        const source = join(folder.path, 'tiny.txt');
        await writeFile(source, 't');
        const keys = Array.from({ length: 1100 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
        for (let i = 0; i < keys.length; i += 50) {
          await Promise.all(
            keys.slice(i, i + 50).map((key) => service.uploadFile(name, source, key)),
          );
        }
        const listed = await service.getBucketFiles(name);
        expect(listed).toHaveLength(1100);
        expect(listed).toEqual(keys);
        await Promise.all(keys.map((key) => service.deleteFile(name, key)));
        await service.deleteBucket(name);
      });

      it('lists only the keys under a prefix', async () => {
        const source = join(folder.path, 'p.txt');
        await writeFile(source, 'p');
        await service.uploadFile(bucket, source, 'prefix-test/a');
        await service.uploadFile(bucket, source, 'prefix-test/b');
        await service.uploadFile(bucket, source, 'prefix-other/c');
        expect(await service.getBucketFiles(bucket, 'prefix-test/')).toEqual([
          'prefix-test/a',
          'prefix-test/b',
        ]);
      });
    });

    describe('objects', () => {
      it('puts and gets a Buffer, a string and a Uint8Array with content type and metadata', async () => {
        const bodies: [string, Buffer | string | Uint8Array, string][] = [
          ['obj/buffer', Buffer.from('buffer body'), 'buffer body'],
          ['obj/string', 'string body é', 'string body é'],
          ['obj/uint8', new Uint8Array([104, 105]), 'hi'],
        ];
        for (const [key, body, text] of bodies) {
          const put = await service.putObject(bucket, key, body, {
            contentType: 'text/plain',
            metadata: { k: 'v' },
          });
          expect(put).toMatchObject({ bucket, key, etag: md5(Buffer.from(text)) });
          const got = await service.getObject(bucket, key);
          expect((await buffer(got.body)).toString()).toBe(text);
          expect(got).toMatchObject({
            contentType: 'text/plain',
            contentLength: Buffer.byteLength(text),
            size: Buffer.byteLength(text),
            etag: md5(Buffer.from(text)),
            metadata: { k: 'v' },
          });
        }
      });

      it('puts a stream of unknown length and reads it back whole', async () => {
        const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
        await service.putObject(
          bucket,
          'obj/stream',
          Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
        );
        const got = await service.getObject(bucket, 'obj/stream');
        expect(md5(await buffer(got.body))).toBe(md5(data));
        expect(got.contentType).toBe('application/octet-stream');
      });

      it('reads a byte range, as an object or as an HTTP Range value', async () => {
        await service.putObject(bucket, 'obj/range', '0123456789');
        const first = await service.getObject(bucket, 'obj/range', { range: { start: 2, end: 4 } });
        expect((await buffer(first.body)).toString()).toBe('234');
        expect(first).toMatchObject({ contentLength: 3, size: 10, contentRange: 'bytes 2-4/10' });
        const suffix = await service.getObject(bucket, 'obj/range', { range: 'bytes=-3' });
        expect((await buffer(suffix.body)).toString()).toBe('789');
        const open = await service.getObject(bucket, 'obj/range', { range: { start: 8 } });
        expect((await buffer(open.body)).toString()).toBe('89');
      });

      it('rejects a malformed range before any request, and a range past the end with InvalidRange', async () => {
        expect(
          await errorCodeOf(service.getObject(bucket, 'obj/range', { range: 'bytes=5-2' })),
        ).toBe('InvalidRange');
        expect(
          await errorCodeOf(service.getObject(bucket, 'obj/range', { range: 'lines=1-2' })),
        ).toBe('InvalidRange');
        expect(
          await errorCodeOf(service.getObject(bucket, 'obj/range', { range: { start: -1 } })),
        ).toBe('InvalidRange');
        expect(
          await errorCodeOf(service.getObject(bucket, 'obj/range', { range: { start: 100 } })),
        ).toBe('InvalidRange');
      });

      it('reports a missing object as NoSuchKey and a missing bucket as NoSuchBucket on get', async () => {
        expect(await errorCodeOf(service.getObject(bucket, 'obj/none'))).toBe('NoSuchKey');
        expect(await errorCodeOf(service.getObject(uniqueBucketName('gone'), 'x'))).toBe(
          'NoSuchBucket',
        );
        expect(await errorCodeOf(service.putObject(uniqueBucketName('gone'), 'x', 'y'))).toBe(
          'NoSuchBucket',
        );
      });

      it('tells whether a file exists', async () => {
        await service.putObject(bucket, 'obj/exists', 'yes');
        expect(await service.fileExists(bucket, 'obj/exists')).toBe(true);
        expect(await service.fileExists(bucket, 'obj/absent')).toBe(false);
        expect(await errorCodeOf(service.fileExists(uniqueBucketName('gone'), 'x'))).toBe(
          'NoSuchBucket',
        );
      });
    });

    describe('errors', () => {
      it('reports a missing key as NoSuchKey and a missing bucket as NoSuchBucket', async () => {
        expect(await errorCodeOf(service.getBucketFile(bucket, 'no/such/key'))).toBe('NoSuchKey');
        const missing = uniqueBucketName('nobucket');
        expect(await errorCodeOf(service.getBucketFile(missing, 'key'))).toBe('NoSuchBucket');
        expect(await errorCodeOf(service.getBucketFiles(missing))).toBe('NoSuchBucket');
      });

      it('names the bucket and the key in the message', async () => {
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
        const fresh = join(folder.path, 'never.out');
        expect(await errorCodeOf(service.downloadFile(bucket, 'absent', fresh))).toBe('NoSuchKey');
        expect(existsSync(fresh)).toBe(false);
        const existing = join(folder.path, 'existing.out');
        await writeFile(existing, 'precious');
        expect(await errorCodeOf(service.downloadFile(bucket, 'absent', existing))).toBe(
          'NoSuchKey',
        );
        expect(await readFile(existing, 'utf8')).toBe('precious');
      });

      it('rejects a missing source file with LocalFileError', async () => {
        expect(
          await errorCodeOf(service.uploadFile(bucket, join(folder.path, 'nope.bin'), 'nope')),
        ).toBe('LocalFileError');
        expect(await errorCodeOf(service.getBucketFile(bucket, 'nope'))).toBe('NoSuchKey');
      });

      it('rejects a directory as source and as destination with LocalFileError', async () => {
        const dir = join(folder.path, 'a-dir');
        await mkdir(dir);
        expect(await errorCodeOf(service.uploadFile(bucket, dir, 'dir'))).toBe('LocalFileError');
        expect(await errorCodeOf(service.downloadFile(bucket, 'report.csv', dir))).toBe(
          'LocalFileError',
        );
      });

      it('rejects a destination whose folder does not exist with LocalFileError', async () => {
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
        expect(await errorCodeOf(service.getBucketFile(bucket, key))).toBe('InvalidKey');
        expect(await errorCodeOf(service.deleteFile(bucket, key))).toBe('InvalidKey');
      });
    });
  });
}
