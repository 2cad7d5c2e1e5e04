import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { BucketAbortedError, BucketError } from 'nest-bucket';
import { bucketErrorOf, errorCodeOf } from '../support/bucket-errors';
import { md5 } from '../support/files';
import { uniqueBucketName } from '../support/s3';
import { MIB, THRESHOLD, multipartEtag, type ContractContext } from './shared';

/**
 * Objects put and read from memory and streams: bodies, ranges, metadata, ETags and aborts.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describeObjectsContract(context: () => ContractContext): void {
  describe('objects', () => {
    it('puts and gets a Buffer, a string and a Uint8Array with content type and metadata', async () => {
      const { service, bucket } = context();
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
      const { service, bucket } = context();
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
      const { service, bucket } = context();
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
      const { service, bucket } = context();
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
      expect(await errorCodeOf(service.getObject(bucket, 'obj/range', { range: 'bytes=-0' }))).toBe(
        'InvalidRange',
      );
    });

    it('rejects a stream longer or shorter than its contentLength, and stores nothing', async () => {
      const { service, bucket } = context();
      const longer = service.putObject(
        bucket,
        'obj/longer',
        Readable.from([Buffer.from('abcdef')]),
        {
          contentLength: 3,
        },
      );
      expect(await errorCodeOf(longer)).toBe('InvalidArgument');
      const shorter = service.putObject(bucket, 'obj/shorter', Readable.from([Buffer.from('ab')]), {
        contentLength: 5,
      });
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
      const { service, bucket } = context();
      expect(await errorCodeOf(service.getObject(bucket, 'obj/none'))).toBe('NoSuchKey');
      expect(await errorCodeOf(service.getObject(uniqueBucketName('gone'), 'x'))).toBe(
        'NoSuchBucket',
      );
      expect(await errorCodeOf(service.putObject(uniqueBucketName('gone'), 'x', 'y'))).toBe(
        'NoSuchBucket',
      );
    });

    it('tells whether a file exists', async () => {
      const { service, bucket } = context();
      await service.putObject(bucket, 'obj/exists', 'yes');
      expect(await service.fileExists(bucket, 'obj/exists')).toBe(true);
      expect(await service.fileExists(bucket, 'obj/absent')).toBe(false);
      expect(await errorCodeOf(service.fileExists(uniqueBucketName('gone'), 'x'))).toBe(
        'NoSuchBucket',
      );
    });

    it('lowercases metadata names and keeps their values', async () => {
      const { service, bucket } = context();
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
      const { service, bucket } = context();
      await service.putObject(bucket, 'obj/charset', 'c', {
        contentType: 'text/plain; charset=utf-8',
      });
      expect((await service.getBucketFile(bucket, 'obj/charset')).contentType).toBe(
        'text/plain; charset=utf-8',
      );
    });

    it('replaces an object whole: bytes, ETag, content type and metadata; it is listed once', async () => {
      const { service, bucket } = context();
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
      const { service, bucket } = context();
      const data = Buffer.from('original');
      await service.putObject(bucket, 'obj/copied', data);
      data.write('MUTATED!');
      const got = await service.getObject(bucket, 'obj/copied');
      expect((await buffer(got.body)).toString()).toBe('original');
    });

    it('dates objects to the second, the same in getObject and getBucketFile', async () => {
      const { service, bucket } = context();
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
      const { service, bucket } = context();
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
      const { service, bucket } = context();
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
      const { service, bucket } = context();
      const data = Buffer.alloc(THRESHOLD + MIB, 9);
      const put = await service.putObject(bucket, 'obj/seventeen', data);
      expect(put.etag).toBe(multipartEtag(data)); // see the 20 MiB test about RGW's empty ETag
      expect((await service.getBucketFile(bucket, 'obj/seventeen')).etag).toBe(multipartEtag(data));
      expect(multipartEtag(data)).toMatch(/-\d+$/);
      const exact = Buffer.alloc(THRESHOLD, 8);
      await service.putObject(bucket, 'obj/sixteen', exact);
      expect((await service.getBucketFile(bucket, 'obj/sixteen')).etag).toBe(md5(exact));
    });

    it('cuts a range that ends past the object, and gives all of it for a longer suffix', async () => {
      const { service, bucket } = context();
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
      const { service, bucket } = context();
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
      const { service, bucket } = context();
      expect(
        await errorCodeOf(service.getObject(bucket, 'obj/none', { range: { start: 100 } })),
      ).toBe('NoSuchKey');
    });

    it('rejects a stream that fails with its error as cause, and stores nothing', async () => {
      const { service, bucket } = context();
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
      const { service, bucket, folder } = context();
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
      const { service, bucket } = context();
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
}
