import { buffer } from 'node:stream/consumers';
import { BucketValidationError, type PresignedUrlOptions } from 'nest-bucket';
import { bucketErrorOf, errorCodeOf } from '../support/bucket-errors';
import { md5 } from '../support/files';
import { uniqueBucketName } from '../support/s3';
import { expectBucketError, type ContractContext } from './shared';

/**
 * Presigned GET and PUT URLs used by a plain HTTP client: bodies, ranges, bindings, refusals.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describePresignedUrlsContract(context: () => ContractContext): void {
  describe('presigned URLs', () => {
    it('a presigned GET URL gives the object to a plain HTTP client, and a Range part of it', async () => {
      const { service, bucket, fetchUrl } = context();
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
      const { service, bucket, fetchUrl } = context();
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
      const { service, bucket, fetchUrl } = context();
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
      const { service, bucket, fetchUrl } = context();
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
      const { service, bucket } = context();
      const cases: [PresignedUrlOptions, string][] = [
        [{ contentType: 'image/png' }, 'contentType = "image/png": only a PUT URL binds it'],
        [{ method: 'GET', contentLength: 1 }, 'contentLength = 1: only a PUT URL binds it'],
        [{ method: 'PUT', contentType: '' }, 'contentType = "": must be a non-empty string'],
        [{ method: 'PUT', contentType: 'a\nb' }, 'must be printable ASCII'],
        [{ method: 'PUT', contentLength: -1 }, 'contentLength = -1'],
        [{ method: 'PUT', contentLength: 5 * 1024 ** 3 + 1 }, 'contentLength = 5368709121'],
        [{ method: 'PUT', metadata: { 'a b': 'x' } }, 'metadata name "a b": must be an HTTP token'],
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
      const { service, bucket, fetchUrl } = context();
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
      const { service, bucket } = context();
      const errorContext = { operation: 'getPresignedUrl', bucket, key: 'k' };
      for (const expiresIn of [0, 604_801, 1.5])
        expectBucketError(
          await bucketErrorOf(service.getPresignedUrl(bucket, 'k', { expiresIn })),
          'InvalidArgument',
          BucketValidationError,
          errorContext,
        );
      expectBucketError(
        await bucketErrorOf(
          service.getPresignedUrl(bucket, 'k', { method: 'DELETE' as unknown as 'GET' }),
        ),
        'InvalidArgument',
        BucketValidationError,
        errorContext,
      );
      expect(await errorCodeOf(service.getPresignedUrl(bucket, ''))).toBe('InvalidKey');
      expect(await service.getPresignedUrl(bucket, 'k', { expiresIn: 604_800 })).toContain(
        'X-Amz-Expires=604800',
      );
    });
  });
}
