import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  BUCKET_OPTION_DEFAULTS,
  BucketAbortedError,
  BucketConflictError,
  BucketError,
  BucketIntegrityError,
  BucketLocalFileError,
  BucketNotFoundError,
  BucketValidationError,
  type BucketErrorCode,
  type BucketErrorContext,
  type ListedFile,
  type PresignedUrlOptions,
  type TransferProgress,
} from 'nest-bucket';
import { operationFailed } from 'nest-bucket/bucket.messages';
import type { BucketServiceContract } from 'nest-bucket/testing';
import { bucketErrorOf, errorCodeOf } from '../support/bucket-errors';
import { md5, sha256File, temporaryFolder, writeRandomFile } from '../support/files';
import { describeBrowserMultipartContract } from './browser-multipart.contract';
import { describeObjectAttributesContract } from './object-attributes.contract';
import { uniqueBucketName } from '../support/s3';

/*
 * The behaviour of BucketService, written once, and run twice by `npm test`:
 * - test/bucket-service.e2e-spec.ts runs it against the real S3 server (the local Ceph RGW, or
 *   the server at BUCKET_HOST);
 * - test/bucket-service.fake.e2e-spec.ts runs it against InMemoryBucketService
 *   (nest-bucket/testing).
 * A difference in behaviour fails one of the two runs. Every operation that a later issue adds
 * to BucketService joins this suite (the fake stops compiling until it implements it).
 *
 * Every expectation here holds on any S3-compatible server. What does not is kept out, on
 * purpose, and tested elsewhere:
 * - fault injection (`failNext`) and the inspection helpers exist only on the fake
 *   (libs/bucket/src/testing/*.spec.ts);
 * - the health indicator, connection loss, timeouts, wrong credentials and log lines need a
 *   server that can be stopped or misconfigured (test/connection.e2e-spec.ts, bucket.module.spec.ts);
 * - `..`, `.` and `//` in keys: Ceph RGW and AWS keep them, MinIO rejects them.
 */

/** What a contract run needs: a service, and how to release it. */
export interface ContractSubject {
  service: BucketServiceContract;
  close(): Promise<void>;
  /**
   * Requests a presigned URL as a plain HTTP client would. Default: the global `fetch`; the
   * in-memory fake gives its own resolver, since its URLs point at no server.
   */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /**
   * Makes every download of one object (`downloadFile`, `getObject`) receive bytes that do not
   * match it, until `restore()`: on the real server a byte flipped on the way by the HTTP fault
   * proxy, on the fake `failNext('IntegrityError')`.
   */
  corruptDownloads(bucket: string, key: string): { restore: () => void };
  /** The tags of an object as stored: read with another client, or from the fake's store. */
  tagsOf(bucket: string, key: string): Promise<Record<string, string>>;
  /** An SSE-KMS key id the server knows, for the encryption test; undefined where it has none. */
  kmsKeyId?: string;
}

const MIB = 1024 * 1024;

/** The part size of multipart uploads when the call does not set one: the module's default. */
const PART_SIZE = BUCKET_OPTION_DEFAULTS.partSizeBytes;

/** Above this known size, uploads go in parts. */
const THRESHOLD = BUCKET_OPTION_DEFAULTS.multipartThresholdBytes;

/** The ETag of a multipart upload: md5 of the parts' binary md5s, then "-" and the part count. */
function multipartEtag(data: Buffer, partSize: number = PART_SIZE): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += partSize) {
    digests.push(
      createHash('md5')
        .update(data.subarray(offset, offset + partSize))
        .digest(),
    );
  }
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
}

/** Every file of a listing. */
async function collect(files: AsyncIterable<ListedFile>): Promise<ListedFile[]> {
  const all: ListedFile[] = [];
  for await (const file of files) all.push(file);
  return all;
}

/**
 * Checks an error's code, class, context (operation, bucket, key; absent ones must be absent) and
 * message: BucketService's `operationFailed` text, whatever detail the server added.
 */
function expectBucketError(
  error: BucketError,
  code: BucketErrorCode,
  ErrorClass: new (...args: never[]) => BucketError,
  context: BucketErrorContext,
): void {
  expect(error).toBeInstanceOf(ErrorClass);
  expect(error.code).toBe(code);
  expect({ operation: error.operation, bucket: error.bucket, key: error.key }).toEqual({
    operation: context.operation,
    bucket: context.bucket,
    key: context.key,
  });
  const withoutDetail = operationFailed(code, context);
  expect(error.message.startsWith(withoutDetail.slice(0, -` (${code})`.length))).toBe(true);
  expect(error.message.endsWith(` (${code})`)).toBe(true);
}

/** Empties and deletes a bucket through the service. */
async function dropBucket(service: BucketServiceContract, bucket: string): Promise<void> {
  const keys = await service.getBucketFiles(bucket).catch(() => undefined);
  if (keys === undefined) return;
  for (const key of keys) await service.deleteFile(bucket, key);
  await service.deleteBucket(bucket);
}

/**
 * The behaviour of `BucketService`, written once. It runs against the real local S3 server and
 * against any other implementation of the contract: a difference fails one of the runs.
 */
/** Kept for the tests that import them from here. */
export { bucketErrorOf, errorCodeOf };

export function describeBucketServiceContract(
  label: string,
  createSubject: () => Promise<ContractSubject>,
): void {
  describe(`BucketService contract (${label})`, () => {
    let subject: ContractSubject;
    let service: BucketServiceContract;
    let fetchUrl: (url: string, init?: RequestInit) => Promise<Response>;
    let bucket: string;
    let folder: { path: string; remove: () => Promise<void> };

    beforeAll(async () => {
      subject = await createSubject();
      service = subject.service;
      fetchUrl = subject.fetch ?? fetch;
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

      it('lists bucket names in byte order', async () => {
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
        const name = uniqueBucketName('emptied');
        await service.createBucket(name);
        expect(await service.getBucketFiles(name)).toEqual([]);
        await service.putObject(name, 'only', 'x');
        await service.deleteFile(name, 'only');
        await service.deleteBucket(name);
        expect(await service.getBucketNames()).not.toContain(name);
      });
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
        // Above the threshold (16 MiB) the upload goes in parts of the default size (8 MiB).
        expect(20 * MIB).toBeGreaterThan(THRESHOLD);
        const expected = multipartEtag(await readFile(source));
        expect(expected).toMatch(new RegExp(`^[0-9a-f]{32}-${Math.ceil((20 * MIB) / PART_SIZE)}$`));
        expect((await service.getBucketFile(bucket, 'large/twenty.bin')).etag).toBe(expected);
        const got = await service.getObject(bucket, 'large/twenty.bin', { range: 'bytes=0-0' });
        got.body.destroy();
        expect(got.etag).toBe(expected);
        // Ceph RGW 16 answers CompleteMultipartUpload with an empty ETag (a known bug): the
        // service then reads it with HeadObject, so every server gives the object's.
        expect(uploaded.etag).toBe(expected);
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
        expect((await collect(service.listFiles(name))).map((f) => f.key)).toEqual(keys);
        expect(
          (await collect(service.listFiles(name, { pageSize: 30, prefix: 'k/010' }))).map(
            (f) => f.key,
          ),
        ).toEqual(keys.slice(1000, 1100));
        // 1,100 keys take two DeleteObjects requests (1,000 at most each).
        const deleted = await service.deleteFiles(name, keys);
        expect(deleted).toEqual({ deleted: keys, failed: [] });
        expect(await service.getBucketFiles(name)).toEqual([]);
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

      it('lists keys in UTF-8 byte order, which is not JavaScript string order', async () => {
        const name = uniqueBucketName('bytes');
        await service.createBucket(name);
        const inByteOrder = [
          'A',
          'a b',
          'a-b',
          'a.b',
          'a/b',
          'e\u0301', // é decomposed (NFD): "e" then a combining accent
          'z',
          '~',
          '\u00e9', // é composed (NFC): a different key
          '\uff21', // fullwidth A: UTF-8 EF BC A1, UTF-16 FF21
          '\u{1f600}', // an emoji: UTF-8 F0 9F 98 80, UTF-16 D83D DE00
        ];
        // The test only means something if JavaScript's sort disagrees.
        expect([...inByteOrder].sort()).not.toEqual(inByteOrder);
        for (const key of [...inByteOrder].reverse()) await service.putObject(name, key, key);
        expect(await service.getBucketFiles(name)).toEqual(inByteOrder);
        expect(await service.getBucketFiles(name, 'a')).toEqual(['a b', 'a-b', 'a.b', 'a/b']);
        for (const key of inByteOrder)
          expect((await buffer((await service.getObject(name, key)).body)).toString()).toBe(key);
        for (const key of inByteOrder) await service.deleteFile(name, key);
        await service.deleteBucket(name);
      });

      it('lists nothing under a prefix that no key has', async () => {
        expect(await service.getBucketFiles(bucket, 'no-such-prefix/')).toEqual([]);
      });

      it.each([
        ['data.json', 'application/json'],
        ['PHOTO.PNG', 'image/png'],
        ['notes.txt', 'text/plain'],
        ['no-extension', 'application/octet-stream'],
        ['archive.unknown-ext', 'application/octet-stream'],
      ])('guesses the content type of %s as %s', async (fileName, contentType) => {
        const source = join(folder.path, fileName);
        await writeFile(source, 'c');
        await service.uploadFile(bucket, source, `types/${fileName}`);
        expect((await service.getBucketFile(bucket, `types/${fileName}`)).contentType).toBe(
          contentType,
        );
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
        // Servers disagree on an empty suffix (RGW sends everything, AWS 416): refused locally.
        expect(
          await errorCodeOf(service.getObject(bucket, 'obj/range', { range: 'bytes=-0' })),
        ).toBe('InvalidRange');
      });

      it('rejects a stream longer or shorter than its contentLength, and stores nothing', async () => {
        const longer = service.putObject(
          bucket,
          'obj/longer',
          Readable.from([Buffer.from('abcdef')]),
          {
            contentLength: 3,
          },
        );
        expect(await errorCodeOf(longer)).toBe('InvalidArgument');
        const shorter = service.putObject(
          bucket,
          'obj/shorter',
          Readable.from([Buffer.from('ab')]),
          {
            contentLength: 5,
          },
        );
        const error = (await shorter.catch((e: unknown) => e)) as BucketError;
        expect(error.code).toBe('InvalidArgument');
        expect(error.message).toContain('contentLength = 5, but the body ended after 2 bytes');
        expect(await service.fileExists(bucket, 'obj/longer')).toBe(false);
        expect(await service.fileExists(bucket, 'obj/shorter')).toBe(false);
        // The connection is still in step: the next request works.
        await service.putObject(bucket, 'obj/after', 'fine');
        expect(await service.fileExists(bucket, 'obj/after')).toBe(true);
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

      it('lowercases metadata names and keeps their values', async () => {
        await service.putObject(bucket, 'obj/meta', 'm', {
          metadata: { Owner: 'Alice', 'X-Trace': 'a b c' },
        });
        expect((await service.getBucketFile(bucket, 'obj/meta')).metadata).toEqual({
          owner: 'Alice',
          'x-trace': 'a b c',
        });
        const got = await service.getObject(bucket, 'obj/meta');
        got.body.destroy();
        expect(got.metadata).toEqual({ owner: 'Alice', 'x-trace': 'a b c' });
      });

      it('stores an explicit content type as given, parameters included', async () => {
        await service.putObject(bucket, 'obj/charset', 'c', {
          contentType: 'text/plain; charset=utf-8',
        });
        expect((await service.getBucketFile(bucket, 'obj/charset')).contentType).toBe(
          'text/plain; charset=utf-8',
        );
      });

      it('replaces an object whole: bytes, ETag, content type and metadata; it is listed once', async () => {
        await service.putObject(bucket, 'obj/replace', 'one', {
          contentType: 'text/plain',
          metadata: { version: '1' },
        });
        await service.putObject(bucket, 'obj/replace', 'two!');
        expect(await service.getBucketFile(bucket, 'obj/replace')).toMatchObject({
          size: 4,
          etag: md5('two!'),
          contentType: 'application/octet-stream',
          metadata: {},
        });
        expect(await service.getBucketFiles(bucket, 'obj/replace')).toEqual(['obj/replace']);
      });

      it('stores the bytes as they were when put, whatever the caller does to its Buffer after', async () => {
        const data = Buffer.from('original');
        await service.putObject(bucket, 'obj/copied', data);
        data.write('MUTATED!');
        const got = await service.getObject(bucket, 'obj/copied');
        expect((await buffer(got.body)).toString()).toBe('original');
      });

      it('dates objects to the second, the same in getObject and getBucketFile', async () => {
        const before = Date.now();
        await service.putObject(bucket, 'obj/dated', 'd');
        const info = await service.getBucketFile(bucket, 'obj/dated');
        expect(info.lastModified).toBeInstanceOf(Date);
        expect(info.lastModified.getMilliseconds()).toBe(0);
        expect(info.lastModified.getTime()).toBeGreaterThan(before - 60_000);
        expect(info.lastModified.getTime()).toBeLessThan(Date.now() + 60_000);
        const got = await service.getObject(bucket, 'obj/dated');
        got.body.destroy();
        expect(got.lastModified.getTime()).toBe(info.lastModified.getTime());
      });

      it('gives a stream of known length an MD5 ETag (one request)', async () => {
        const put = await service.putObject(
          bucket,
          'obj/known',
          Readable.from([Buffer.from('abc')]),
          {
            contentLength: 3,
          },
        );
        expect(put.etag).toBe(md5('abc'));
        expect((await service.getBucketFile(bucket, 'obj/known')).etag).toBe(md5('abc'));
      });

      it('stores a stream of unknown length in parts: an MD5 ETag up to one part, a multipart one above', async () => {
        const partSizeBytes = 5 * MIB;
        const exact = Buffer.alloc(partSizeBytes, 1);
        await service.putObject(bucket, 'obj/five', Readable.from([exact]), { partSizeBytes });
        expect((await service.getBucketFile(bucket, 'obj/five')).etag).toBe(md5(exact));
        const above = Buffer.alloc(partSizeBytes + 1, 2);
        await service.putObject(
          bucket,
          'obj/five-plus',
          Readable.from([above.subarray(0, 1000), above.subarray(1000)]),
          { partSizeBytes },
        );
        const info = await service.getBucketFile(bucket, 'obj/five-plus');
        expect(info).toMatchObject({
          size: partSizeBytes + 1,
          etag: multipartEtag(above, partSizeBytes),
        });
        expect(info.etag).toMatch(/-2$/);
        const got = await service.getObject(bucket, 'obj/five-plus');
        expect(md5(await buffer(got.body))).toBe(md5(above));
      });

      it('stores a Buffer above the threshold in parts of the default size (multipart ETag)', async () => {
        const data = Buffer.alloc(THRESHOLD + MIB, 9);
        const put = await service.putObject(bucket, 'obj/seventeen', data);
        expect(put.etag).toBe(multipartEtag(data)); // see the 20 MiB test about RGW's empty ETag
        expect((await service.getBucketFile(bucket, 'obj/seventeen')).etag).toBe(
          multipartEtag(data),
        );
        expect(multipartEtag(data)).toMatch(/-\d+$/);
        const exact = Buffer.alloc(THRESHOLD, 8);
        await service.putObject(bucket, 'obj/sixteen', exact);
        expect((await service.getBucketFile(bucket, 'obj/sixteen')).etag).toBe(md5(exact));
      });

      it('cuts a range that ends past the object, and gives all of it for a longer suffix', async () => {
        await service.putObject(bucket, 'obj/ten', '0123456789', {
          contentType: 'text/plain',
          metadata: { kind: 'digits' },
        });
        const cut = await service.getObject(bucket, 'obj/ten', { range: 'bytes=5-100' });
        expect((await buffer(cut.body)).toString()).toBe('56789');
        expect(cut).toMatchObject({
          contentLength: 5,
          size: 10,
          contentRange: 'bytes 5-9/10',
          contentType: 'text/plain',
          etag: md5('0123456789'),
          metadata: { kind: 'digits' },
        });
        const suffix = await service.getObject(bucket, 'obj/ten', { range: 'bytes=-100' });
        expect((await buffer(suffix.body)).toString()).toBe('0123456789');
        expect(suffix).toMatchObject({ contentLength: 10, contentRange: 'bytes 0-9/10' });
        const last = await service.getObject(bucket, 'obj/ten', { range: { start: 9 } });
        expect((await buffer(last.body)).toString()).toBe('9');
        expect(last.contentRange).toBe('bytes 9-9/10');
        const whole = await service.getObject(bucket, 'obj/ten');
        expect((await buffer(whole.body)).toString()).toBe('0123456789');
        expect(whole).toMatchObject({ contentLength: 10, size: 10 });
        expect(whole.contentRange).toBeUndefined();
      });

      it('rejects a range that starts at the end, and any range on an empty object, with InvalidRange', async () => {
        await service.putObject(bucket, 'obj/ten-b', '0123456789');
        expect(
          await errorCodeOf(service.getObject(bucket, 'obj/ten-b', { range: { start: 10 } })),
        ).toBe('InvalidRange');
        await service.putObject(bucket, 'obj/empty', '');
        for (const range of [{ start: 0 }, 'bytes=0-0', 'bytes=-5'])
          expect(await errorCodeOf(service.getObject(bucket, 'obj/empty', { range }))).toBe(
            'InvalidRange',
          );
        const whole = await service.getObject(bucket, 'obj/empty');
        expect((await buffer(whole.body)).length).toBe(0);
        expect(whole).toMatchObject({ contentLength: 0, size: 0, etag: md5('') });
      });

      it('reports a missing key as NoSuchKey even with a range past any end', async () => {
        expect(
          await errorCodeOf(service.getObject(bucket, 'obj/none', { range: { start: 100 } })),
        ).toBe('NoSuchKey');
      });

      it('rejects a stream that fails with its error as cause, and stores nothing', async () => {
        const failure = new Error('the source broke');
        const failing = Readable.from(
          (async function* () {
            yield Buffer.from('partial');
            await Promise.resolve();
            throw failure;
          })(),
        );
        const error = await bucketErrorOf(service.putObject(bucket, 'obj/broken', failing));
        expect(error.code).toBe('Unknown');
        expect(error.cause).toBe(failure);
        expect(error).toMatchObject({ operation: 'putObject', bucket, key: 'obj/broken' });
        expect(await service.fileExists(bucket, 'obj/broken')).toBe(false);
      });

      it('rejects every operation given an aborted signal with Aborted, and writes nothing', async () => {
        const signal = AbortSignal.abort();
        const source = join(folder.path, 'abort.txt');
        await writeFile(source, 'never stored');
        await service.putObject(bucket, 'obj/abort-source', 'exists');
        const destination = join(folder.path, 'abort.out');
        const attempts: [string, () => Promise<unknown>][] = [
          ['putObject', () => service.putObject(bucket, 'obj/aborted-1', 'x', { signal })],
          [
            'putObject',
            () =>
              service.putObject(bucket, 'obj/aborted-2', Readable.from([Buffer.from('x')]), {
                signal,
              }),
          ],
          ['uploadFile', () => service.uploadFile(bucket, source, 'obj/aborted-3', { signal })],
          ['getObject', () => service.getObject(bucket, 'obj/abort-source', { signal })],
          [
            'downloadFile',
            () => service.downloadFile(bucket, 'obj/abort-source', destination, { signal }),
          ],
        ];
        for (const [operation, attempt] of attempts) {
          const error = await bucketErrorOf(attempt());
          expect(error).toBeInstanceOf(BucketAbortedError);
          expect(error).toMatchObject({ code: 'Aborted', operation, bucket });
        }
        for (const key of ['obj/aborted-1', 'obj/aborted-2', 'obj/aborted-3'])
          expect(await service.fileExists(bucket, key)).toBe(false);
        expect(existsSync(destination)).toBe(false);
      });

      it('makes the body stream fail when the signal fires while it is read', async () => {
        await service.putObject(bucket, 'obj/eight', Buffer.alloc(8 * 1024 * 1024, 8));
        const controller = new AbortController();
        const got = await service.getObject(bucket, 'obj/eight', { signal: controller.signal });
        const read = (async () => {
          let bytes = 0;
          for await (const chunk of got.body as AsyncIterable<Buffer>) {
            bytes += chunk.length;
            if (bytes >= 64 * 1024) controller.abort();
          }
          return bytes;
        })();
        await expect(read).rejects.toThrow('aborted');
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

      it('reports a missing bucket as NoSuchBucket on every operation, and writes no file', async () => {
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

    describe('listing', () => {
      const keys = ['a.txt', 'photos/2023/x.jpg', 'photos/2024/y.jpg', 'photos/top.jpg', 'z.txt'];
      let listed: string;

      beforeAll(async () => {
        listed = uniqueBucketName('list');
        await service.createBucket(listed);
        for (const key of keys) await service.putObject(listed, key, key);
      });

      afterAll(async () => {
        await service.deleteBucket(listed, { force: true });
      });

      it('listFiles yields key, size, lastModified and etag for every object, in byte order', async () => {
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
        const level = await collect(
          service.listFiles(listed, { prefix: 'photos/', delimiter: '/' }),
        );
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

    describe('batch deletion, copy and move', () => {
      it('deleteFiles deletes 2,500 keys (three batches) and reports them all', async () => {
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
        await service.putObject(bucket, 'batch/x', 'x');
        await service.putObject(bucket, 'batch/y', 'y');
        expect(
          await service.deleteFiles(bucket, ['batch/x', 'batch/x', 'batch/absent', 'batch/y']),
        ).toEqual({ deleted: ['batch/x', 'batch/absent', 'batch/y'], failed: [] });
        expect(await service.getBucketFiles(bucket, 'batch/')).toEqual([]);
      });

      it('deleteFiles checks every key before any request, and needs none for no keys', async () => {
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
        const doomed = uniqueBucketName('force');
        await service.createBucket(doomed);
        await service.putObject(doomed, 'a', 'a');
        await service.putObject(doomed, 'dir/b', 'b');
        expect(await errorCodeOf(service.deleteBucket(doomed))).toBe('BucketNotEmpty');
        await service.deleteBucket(doomed, { force: true });
        expect(await service.getBucketNames()).not.toContain(doomed);
        expect(await errorCodeOf(service.deleteBucket(doomed, { force: true }))).toBe(
          'NoSuchBucket',
        );
      });
    });

    describe('transfers', () => {
      it('reports upload progress that grows and ends at the total', async () => {
        const small: TransferProgress[] = [];
        await service.putObject(bucket, 'progress/small', 'abc', {
          onProgress: (p) => small.push(p),
        });
        expect(small.at(-1)).toEqual({ loaded: 3, total: 3 });
        const source = join(folder.path, 'progress.txt');
        await writeFile(source, 'hello');
        const file: TransferProgress[] = [];
        await service.uploadFile(bucket, source, 'progress/file', {
          onProgress: (p) => file.push(p),
        });
        expect(file.at(-1)).toEqual({ loaded: 5, total: 5 });
        const stream: TransferProgress[] = [];
        await service.putObject(bucket, 'progress/stream', Readable.from([Buffer.from('abcd')]), {
          onProgress: (p) => stream.push(p),
        });
        expect(stream.at(-1)?.loaded).toBe(4);
        const data = Buffer.alloc(THRESHOLD + MIB, 5);
        const parts: TransferProgress[] = [];
        await service.putObject(bucket, 'progress/parts', data, {
          partSizeBytes: 5 * MIB,
          concurrency: 1,
          onProgress: (p) => parts.push(p),
        });
        expect(parts.length).toBeGreaterThanOrEqual(2);
        for (let i = 1; i < parts.length; i++)
          expect(parts[i].loaded).toBeGreaterThan(parts[i - 1].loaded);
        expect(parts.at(-1)).toEqual({ loaded: data.length, total: data.length });
        expect((await service.getBucketFile(bucket, 'progress/parts')).etag).toBe(
          multipartEtag(data, 5 * MIB),
        );
      });

      it('downloads in ranged parts, whole and equal, with progress ending at the total', async () => {
        const data = Buffer.alloc(11 * MIB);
        for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
        await service.putObject(bucket, 'progress/eleven', data);
        const destination = join(folder.path, 'eleven.out');
        const events: TransferProgress[] = [];
        const result = await service.downloadFile(bucket, 'progress/eleven', destination, {
          partSizeBytes: 5 * MIB,
          concurrency: 2,
          onProgress: (p) => events.push(p),
        });
        expect(result.size).toBe(data.length);
        expect(md5(await readFile(destination))).toBe(md5(data));
        for (let i = 1; i < events.length; i++)
          expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
        expect(events.at(-1)).toEqual({ loaded: data.length, total: data.length });
        await service.putObject(bucket, 'progress/empty', '');
        const empty: TransferProgress[] = [];
        await service.downloadFile(bucket, 'progress/empty', join(folder.path, 'empty.dl'), {
          onProgress: (p) => empty.push(p),
        });
        expect(empty.at(-1)).toEqual({ loaded: 0, total: 0 });
      });

      it('aborting a multipart upload midway rejects with Aborted and stores nothing', async () => {
        const controller = new AbortController();
        const upload = service.putObject(
          bucket,
          'progress/aborted',
          Buffer.alloc(THRESHOLD + MIB),
          {
            partSizeBytes: 5 * MIB,
            concurrency: 1,
            signal: controller.signal,
            onProgress: () => {
              controller.abort();
            },
          },
        );
        expect(await errorCodeOf(upload)).toBe('Aborted');
        expect(await service.fileExists(bucket, 'progress/aborted')).toBe(false);
      });

      it('aborting a download midway rejects with Aborted, leaves no file and keeps an existing one', async () => {
        await service.putObject(bucket, 'progress/nine', Buffer.alloc(9 * MIB, 9));
        const destination = join(folder.path, 'kept.dl');
        await writeFile(destination, 'precious');
        const controller = new AbortController();
        const download = service.downloadFile(bucket, 'progress/nine', destination, {
          partSizeBytes: 5 * MIB,
          signal: controller.signal,
          onProgress: ({ loaded }) => {
            if (loaded > MIB) controller.abort();
          },
        });
        expect(await errorCodeOf(download)).toBe('Aborted');
        expect(await readFile(destination, 'utf8')).toBe('precious');
        const fresh = join(folder.path, 'fresh.dl');
        const second = new AbortController();
        const again = service.downloadFile(bucket, 'progress/nine', fresh, {
          signal: second.signal,
          onProgress: () => {
            second.abort();
          },
        });
        expect(await errorCodeOf(again)).toBe('Aborted');
        expect(existsSync(fresh)).toBe(false);
      });

      it('gives a signal that timed out before the transfer began Timeout, and stores nothing', async () => {
        const signal = AbortSignal.timeout(1);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await errorCodeOf(service.putObject(bucket, 'progress/late', 'x', { signal }))).toBe(
          'Timeout',
        );
        expect(
          await errorCodeOf(
            service.downloadFile(bucket, 'progress/small', join(folder.path, 'late.dl'), {
              signal,
            }),
          ),
        ).toBe('Timeout');
        expect(await service.fileExists(bucket, 'progress/late')).toBe(false);
      });

      it('rejects part sizes and concurrency out of bounds before any request, with InvalidArgument', async () => {
        const source = join(folder.path, 'tuning.txt');
        await writeFile(source, 't');
        const out = join(folder.path, 'tuning.out');
        const attempts: [() => Promise<unknown>, BucketErrorContext][] = [
          [
            () => service.uploadFile(bucket, source, 'k', { partSizeBytes: 1024 }),
            { operation: 'uploadFile', bucket, key: 'k' },
          ],
          [
            () => service.putObject(bucket, 'k', 'x', { concurrency: 0 }),
            { operation: 'putObject', bucket, key: 'k' },
          ],
          [
            () => service.putObject(bucket, 'k', 'x', { concurrency: 65 }),
            { operation: 'putObject', bucket, key: 'k' },
          ],
          [
            () => service.downloadFile(bucket, 'progress/small', out, { concurrency: 0 }),
            { operation: 'downloadFile', bucket, key: 'progress/small' },
          ],
          [
            () =>
              service.downloadFile(bucket, 'progress/small', out, { partSizeBytes: 5 * MIB - 1 }),
            { operation: 'downloadFile', bucket, key: 'progress/small' },
          ],
        ];
        for (const [attempt, context] of attempts)
          expectBucketError(
            await bucketErrorOf(attempt()),
            'InvalidArgument',
            BucketValidationError,
            context,
          );
        expect(await service.fileExists(bucket, 'k')).toBe(false);
        expect(existsSync(out)).toBe(false);
      });
    });

    describe('presigned POST (a form upload under a policy the server enforces)', () => {
      /** Sends the form as a browser does: the policy's fields, then the file, last. */
      async function postForm(
        post: { url: string; fields: Record<string, string> },
        file: { data: Buffer; name: string },
        override: Record<string, string> = {},
      ): Promise<Response> {
        const form = new FormData();
        for (const [name, value] of Object.entries({ ...post.fields, ...override }))
          form.append(name, value);
        form.append('file', new Blob([file.data]), file.name);
        return fetchUrl(post.url, { method: 'POST', body: form });
      }

      it('an upload within the policy is stored under the prefix with its name, type and metadata', async () => {
        const post = await service.createPresignedPost(bucket, {
          keyPrefix: 'posted/u1/',
          contentLengthRange: { min: 1, max: 1000 },
          contentTypePrefix: 'image/',
          metadata: { Owner: 'u1' },
          expiresIn: 120,
        });
        expect(post.expiresAt.getTime()).toBeGreaterThan(Date.now() + 100_000);
        const data = Buffer.alloc(600, 7);
        const response = await postForm(
          post,
          { data, name: 'avatar.png' },
          { 'Content-Type': 'image/png' },
        );
        expect([200, 201, 204]).toContain(response.status);
        await response.arrayBuffer();
        expect(await service.getBucketFile(bucket, 'posted/u1/avatar.png')).toMatchObject({
          size: 600,
          etag: md5(data),
          contentType: 'image/png',
          metadata: { owner: 'u1' },
        });
      });

      it('too large, another type, another key or changed metadata are refused, and nothing is stored', async () => {
        const post = await service.createPresignedPost(bucket, {
          key: 'posted/exact.png',
          contentLengthRange: { max: 100 },
          contentType: 'image/png',
          metadata: { owner: 'u1' },
        });
        const small = { data: Buffer.alloc(50, 1), name: 'x.png' };
        const cases: [string, Promise<Response>, number][] = [
          ['too large', postForm(post, { data: Buffer.alloc(101, 1), name: 'x.png' }), 400],
          ['another type', postForm(post, small, { 'Content-Type': 'text/html' }), 403],
          ['another key', postForm(post, small, { key: 'posted/other.png' }), 403],
          ['changed metadata', postForm(post, small, { 'x-amz-meta-owner': 'u2' }), 403],
        ];
        for (const [what, sent, status] of cases) {
          const response = await sent;
          await response.arrayBuffer();
          expect([what, response.status]).toEqual([what, status]);
        }
        expect(await service.fileExists(bucket, 'posted/exact.png')).toBe(false);
        expect(await service.fileExists(bucket, 'posted/other.png')).toBe(false);
        const ok = await postForm(post, small);
        expect([200, 201, 204]).toContain(ok.status);
        expect((await service.getBucketFile(bucket, 'posted/exact.png')).contentType).toBe(
          'image/png',
        );
      });

      it('refuses options that break a rule before signing, naming the value and the rule', async () => {
        const cases: [object, BucketErrorCode, string][] = [
          [{}, 'InvalidArgument', 'exactly one of key and keyPrefix'],
          [{ key: 'a', keyPrefix: 'b/' }, 'InvalidArgument', 'exactly one of key and keyPrefix'],
          [{ key: '' }, 'InvalidKey', 'must not be empty'],
          [
            { key: 'a', contentLengthRange: { min: 10, max: 5 } },
            'InvalidArgument',
            'contentLengthRange.max = 5',
          ],
          [
            { key: 'a', contentLengthRange: { max: 6 * 1024 ** 3 } },
            'InvalidArgument',
            'contentLengthRange.max',
          ],
          [
            { key: 'a', contentType: 'a/b', contentTypePrefix: 'a/' },
            'InvalidArgument',
            'at most one of',
          ],
          [{ key: 'a', expiresIn: 604_801 }, 'InvalidArgument', 'expiresIn = 604801'],
        ];
        for (const [options, code, text] of cases) {
          const error = await bucketErrorOf(service.createPresignedPost(bucket, options));
          expect([code, error.message.includes(text)]).toEqual([error.code, true]);
        }
        expect(await errorCodeOf(service.createPresignedPost('Bad_Bucket', { key: 'a' }))).toBe(
          'InvalidBucketName',
        );
      });
    });

    describe('presigned URLs', () => {
      it('a presigned GET URL gives the object to a plain HTTP client, and a Range part of it', async () => {
        await service.putObject(bucket, 'shared/hello é.txt', 'hello, fetch', {
          contentType: 'text/plain',
        });
        const url = await service.getPresignedUrl(bucket, 'shared/hello é.txt', { expiresIn: 60 });
        expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
        expect(new URL(url).searchParams.get('X-Amz-Signature')).toBeTruthy();
        const response = await fetchUrl(url);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/plain');
        expect(response.headers.get('etag')).toBe(`"${md5('hello, fetch')}"`);
        expect(await response.text()).toBe('hello, fetch');
        const part = await fetchUrl(url, { headers: { range: 'bytes=7-11' } });
        expect(part.status).toBe(206);
        expect(part.headers.get('content-range')).toBe('bytes 7-11/12');
        expect(await part.text()).toBe('fetch');
      });

      it('a presigned PUT URL stores the body with the Content-Type the client sends', async () => {
        const url = await service.getPresignedUrl(bucket, 'shared/put é.txt', { method: 'PUT' });
        expect(url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum-algorithm/i);
        const response = await fetchUrl(url, { method: 'PUT', body: 'uploaded by fetch' });
        expect(response.status).toBe(200);
        expect(response.headers.get('etag')).toBe(`"${md5('uploaded by fetch')}"`);
        const got = await service.getObject(bucket, 'shared/put é.txt');
        expect((await buffer(got.body)).toString()).toBe('uploaded by fetch');
        expect(got.contentType).toBe('text/plain;charset=UTF-8');
        expect(got.etag).toBe(md5('uploaded by fetch'));
      });

      it('a presigned PUT with contentType binds it: the right type is stored, none or another is refused and stores nothing', async () => {
        const key = 'shared/avatar.png';
        const url = await service.getPresignedUrl(bucket, key, {
          method: 'PUT',
          contentType: 'image/png',
        });
        expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
        const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47]);
        // A Uint8Array body makes fetch send no Content-Type of its own.
        const untyped = await fetchUrl(url, { method: 'PUT', body: png });
        expect(untyped.status).toBe(403);
        expect(await untyped.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
        const html = await fetchUrl(url, {
          method: 'PUT',
          headers: { 'content-type': 'text/html' },
          body: '<script>alert(1)</script>',
        });
        expect(html.status).toBe(403);
        expect(await service.fileExists(bucket, key)).toBe(false);
        const right = await fetchUrl(url, {
          method: 'PUT',
          headers: { 'content-type': 'image/png' },
          body: png,
        });
        expect(right.status).toBe(200);
        const got = await service.getObject(bucket, key);
        expect([...(await buffer(got.body))]).toEqual([...png]);
        expect(got.contentType).toBe('image/png');
      });

      it('a presigned PUT binds contentLength and metadata: another size, a missing or changed metadata value is refused', async () => {
        const key = 'shared/bound.bin';
        const url = await service.getPresignedUrl(bucket, key, {
          method: 'PUT',
          contentType: 'application/octet-stream',
          contentLength: 5,
          metadata: { Owner: 'ann' },
        });
        expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe(
          'content-length;content-type;host;x-amz-meta-owner',
        );
        const put = (body: string, headers: Record<string, string>) =>
          fetchUrl(url, {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream', ...headers },
            body: Buffer.from(body),
          });
        expect((await put('hello!', { 'x-amz-meta-owner': 'ann' })).status).toBe(403);
        expect((await put('hello', {})).status).toBe(403);
        expect((await put('hello', { 'x-amz-meta-owner': 'bob' })).status).toBe(403);
        expect(await service.fileExists(bucket, key)).toBe(false);
        expect((await put('hello', { 'x-amz-meta-owner': 'ann' })).status).toBe(200);
        expect(await service.getBucketFile(bucket, key)).toMatchObject({
          size: 5,
          contentType: 'application/octet-stream',
          metadata: { owner: 'ann' },
        });
      });

      it('refuses PUT bindings on a GET URL, and bindings that cannot be headers, before signing', async () => {
        const cases: [PresignedUrlOptions, string][] = [
          [{ contentType: 'image/png' }, 'contentType = "image/png": only a PUT URL binds it'],
          [{ method: 'GET', contentLength: 1 }, 'contentLength = 1: only a PUT URL binds it'],
          [{ method: 'PUT', contentType: '' }, 'contentType = "": must be a non-empty string'],
          [{ method: 'PUT', contentType: 'a\nb' }, 'must be printable ASCII'],
          [{ method: 'PUT', contentLength: -1 }, 'contentLength = -1'],
          [{ method: 'PUT', contentLength: 5 * 1024 ** 3 + 1 }, 'contentLength = 5368709121'],
          [
            { method: 'PUT', metadata: { 'a b': 'x' } },
            'metadata name "a b": must be an HTTP token',
          ],
          [{ method: 'PUT', metadata: { a: 'é' } }, 'metadata.a = "é": must be a printable ASCII'],
        ];
        for (const [options, text] of cases) {
          const error = await bucketErrorOf(service.getPresignedUrl(bucket, 'k', options));
          expect([error.code, error.message]).toEqual([
            'InvalidArgument',
            expect.stringContaining(text),
          ]);
        }
      });

      it('answers 404 for a missing object or bucket, and 403 for another method or an altered URL', async () => {
        const missingKey = await service.getPresignedUrl(bucket, 'shared/none');
        expect((await fetchUrl(missingKey)).status).toBe(404);
        // Signed locally: no request is made, so a missing bucket is found only when it is used.
        const missingBucket = await service.getPresignedUrl(uniqueBucketName('nourl'), 'k');
        const notFound = await fetchUrl(missingBucket);
        expect(notFound.status).toBe(404);
        expect(await notFound.text()).toContain('<Code>NoSuchBucket</Code>');
        await service.putObject(bucket, 'shared/guarded', 'g');
        const get = await service.getPresignedUrl(bucket, 'shared/guarded');
        expect((await fetchUrl(get, { method: 'PUT', body: 'overwrite' })).status).toBe(403);
        expect((await fetchUrl(get.replace('shared/guarded', 'shared/guarde2'))).status).toBe(403);
        const got = await service.getObject(bucket, 'shared/guarded');
        expect((await buffer(got.body)).toString()).toBe('g');
      });

      it('checks the lifetime, the method and the key before signing', async () => {
        const context = { operation: 'getPresignedUrl', bucket, key: 'k' };
        for (const expiresIn of [0, 604_801, 1.5])
          expectBucketError(
            await bucketErrorOf(service.getPresignedUrl(bucket, 'k', { expiresIn })),
            'InvalidArgument',
            BucketValidationError,
            context,
          );
        expectBucketError(
          await bucketErrorOf(
            service.getPresignedUrl(bucket, 'k', { method: 'DELETE' as unknown as 'GET' }),
          ),
          'InvalidArgument',
          BucketValidationError,
          context,
        );
        expect(await errorCodeOf(service.getPresignedUrl(bucket, ''))).toBe('InvalidKey');
        expect(await service.getPresignedUrl(bucket, 'k', { expiresIn: 604_800 })).toContain(
          'X-Amz-Expires=604800',
        );
      });
    });

    describe('bucket handles', () => {
      it('bucket(name) gives the file operations on one bucket; an invalid name throws at once', async () => {
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

    describeBrowserMultipartContract(() => ({ service, bucket, fetchUrl }));

    describeObjectAttributesContract(() => ({
      service,
      bucket,
      folder,
      tagsOf: (b, k) => subject.tagsOf(b, k),
      kmsKeyId: subject.kmsKeyId,
      fetchUrl,
    }));

    describe('integrity', () => {
      it('fails a download whose bytes do not match the object with IntegrityError, leaving no file and an existing one intact, and reads it once the bytes are good again', async () => {
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

    describe('connection', () => {
      it('is connected after connect(), not after disconnect(), and the next operation connects again', async () => {
        await service.connect();
        expect(await service.isConnected()).toBe(true);
        expect(service.toJSON()).toMatchObject({ state: 'connected', endpoint: service.endpoint });
        service.disconnect();
        expect(await service.isConnected()).toBe(false);
        expect(await service.getBucketFiles(bucket, 'report')).toEqual(['report.csv']);
        expect(await service.isConnected()).toBe(true);
      });

      it('probes: a latency when the server (and the bucket) answer, NoSuchBucket for a missing bucket', async () => {
        expect(await service.probe()).toBeGreaterThanOrEqual(0);
        expect(await service.probe(1000, bucket)).toBeGreaterThanOrEqual(0);
        const missing = uniqueBucketName('probe');
        expectBucketError(
          await bucketErrorOf(service.probe(1000, missing)),
          'NoSuchBucket',
          BucketNotFoundError,
          { operation: 'probe', bucket: missing },
        );
      });
    });
  });
}
