import { createHash, randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import type { CompletedUploadPart } from 'nest-bucket';
import type { BucketServiceContract } from 'nest-bucket/testing';
import { bucketErrorOf } from '../support/bucket-errors';

/** What the browser multipart tests need from a contract run. */
export interface BrowserMultipartContext {
  service: BucketServiceContract;
  bucket: string;
  /** Requests a presigned URL as a plain HTTP client (a browser) would. */
  fetchUrl: (url: string, init?: RequestInit) => Promise<Response>;
}

const MIB = 1024 * 1024;

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();

/**
 * Multipart uploads whose parts a browser sends to presigned URLs (the protocol of Uppy's S3
 * plugin), written once for the real server and the fake.
 */
export function describeBrowserMultipartContract(context: () => BrowserMultipartContext): void {
  describe('multipart uploads sent by a browser', () => {
    /** PUTs a part to its URL as a browser does, and returns the ETag the answer carries. */
    async function sendPart(url: string, data: Uint8Array): Promise<string> {
      const response = await context().fetchUrl(url, { method: 'PUT', body: data });
      expect(response.status).toBe(200);
      return response.headers.get('etag') ?? '';
    }

    it('create, sign one part and a batch, PUT them with fetch, list, complete: equal bytes, a multipart ETag, the type and headers stored', async () => {
      const { service, bucket } = context();
      const data = randomBytes(11 * MIB);
      const chunks = [
        data.subarray(0, 5 * MIB),
        data.subarray(5 * MIB, 10 * MIB),
        data.subarray(10 * MIB),
      ];
      const key = 'browser/video.mp4';
      const started = await service.createMultipartUpload(bucket, key, {
        contentType: 'video/mp4',
        cacheControl: 'private, max-age=60',
        metadata: { owner: 'ann' },
      });
      const { uploadId } = started;
      expect(started).toEqual({ bucket, key, uploadId });
      expect(uploadId).not.toBe('');
      const first = await service.signUploadPart(bucket, key, uploadId, 1, { expiresIn: 300 });
      expect(first).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum-algorithm/i);
      const batch = await service.signUploadParts(bucket, key, uploadId, [2, 3]);
      expect(Object.keys(batch)).toEqual(['2', '3']);
      const etags = [
        await sendPart(first, chunks[0]),
        await sendPart(batch[2], chunks[1]),
        await sendPart(batch[3], chunks[2]),
      ];
      expect(await service.listUploadParts(bucket, key, uploadId)).toEqual(
        chunks.map((chunk, i) => ({
          partNumber: i + 1,
          size: chunk.length,
          etag: md5(chunk).toString('hex'),
        })),
      );
      expect(await service.fileExists(bucket, key)).toBe(false);
      // Named out of order, with the quotes of the ETag headers: the service sorts them.
      const parts: CompletedUploadPart[] = [3, 1, 2].map((n) => ({
        partNumber: n,
        etag: etags[n - 1],
      }));
      const done = await service.completeMultipartUpload(bucket, key, uploadId, parts);
      const expected = `${createHash('md5')
        .update(Buffer.concat(chunks.map(md5)))
        .digest('hex')}-3`;
      expect(done).toEqual({ bucket, key, etag: expected });
      const got = await service.getObject(bucket, key);
      expect((await buffer(got.body)).equals(data)).toBe(true);
      expect(got).toMatchObject({
        contentType: 'video/mp4',
        cacheControl: 'private, max-age=60',
        metadata: { owner: 'ann' },
        etag: expected,
      });
      expect((await bucketErrorOf(service.listUploadParts(bucket, key, uploadId))).code).toBe(
        'NoSuchUpload',
      );
    });

    it('an aborted upload keeps no part and stores nothing: list and complete give NoSuchUpload, a second abort is fine', async () => {
      const { service, bucket } = context();
      const key = 'browser/aborted.bin';
      const { uploadId } = await service.createMultipartUpload(bucket, key);
      const etag = await sendPart(
        await service.signUploadPart(bucket, key, uploadId, 1),
        randomBytes(1024),
      );
      await service.abortMultipartUpload(bucket, key, uploadId);
      for (const call of [
        service.listUploadParts(bucket, key, uploadId),
        service.completeMultipartUpload(bucket, key, uploadId, [{ partNumber: 1, etag }]),
      ]) {
        const error = await bucketErrorOf(call);
        expect([error.code, error.message]).toEqual([
          'NoSuchUpload',
          expect.stringContaining('the multipart upload does not exist'),
        ]);
      }
      await service.abortMultipartUpload(bucket, key, uploadId);
      expect(await service.fileExists(bucket, key)).toBe(false);
    });

    it('completion refuses a part under 5 MiB that is not the last, and an ETag the server does not hold, with InvalidArgument', async () => {
      const { service, bucket } = context();
      const key = 'browser/small-parts.bin';
      const { uploadId } = await service.createMultipartUpload(bucket, key);
      const urls = await service.signUploadParts(bucket, key, uploadId, [1, 2]);
      const one = await sendPart(urls[1], randomBytes(1024));
      const two = await sendPart(urls[2], randomBytes(1024));
      const tooSmall = await bucketErrorOf(
        service.completeMultipartUpload(bucket, key, uploadId, [
          { partNumber: 1, etag: one },
          { partNumber: 2, etag: two },
        ]),
      );
      expect(tooSmall.code).toBe('InvalidArgument');
      const wrong = await bucketErrorOf(
        service.completeMultipartUpload(bucket, key, uploadId, [
          { partNumber: 1, etag: 'a'.repeat(32) },
        ]),
      );
      expect(wrong.code).toBe('InvalidArgument');
      expect(await service.fileExists(bucket, key)).toBe(false);
      await service.abortMultipartUpload(bucket, key, uploadId);
    });

    it('refuses part numbers, upload ids, part lists and lifetimes that break a rule before any request', async () => {
      const { service, bucket } = context();
      const key = 'browser/bad';
      const cases: [Promise<unknown>, string][] = [
        [
          service.signUploadPart(bucket, key, 'u', 0),
          'partNumber = 0: must be a whole number from 1 to 10000',
        ],
        [service.signUploadPart(bucket, key, 'u', 10_001), 'partNumber = 10001'],
        [service.signUploadPart(bucket, key, 'u', 1.5), 'partNumber = 1.5'],
        [service.signUploadPart(bucket, key, '', 1), 'uploadId = "": must be a non-empty string'],
        [service.signUploadPart(bucket, key, 'u', 1, { expiresIn: 0 }), 'expiresIn = 0'],
        [
          service.signUploadParts(bucket, key, 'u', []),
          'partNumbers = []: must be a non-empty array',
        ],
        [
          service.completeMultipartUpload(bucket, key, 'u', []),
          'parts = []: must be a non-empty array',
        ],
        [
          service.completeMultipartUpload(bucket, key, 'u', [
            { partNumber: 1, etag: 'x' },
            { partNumber: 1, etag: 'y' },
          ]),
          'partNumber 1 is named twice',
        ],
        [
          service.completeMultipartUpload(bucket, key, 'u', [{ partNumber: 1, etag: '' }]),
          'etag = "": must be the ETag',
        ],
        [service.listUploadParts(bucket, key, ''), 'uploadId = ""'],
        [service.abortMultipartUpload(bucket, key, ''), 'uploadId = ""'],
      ];
      for (const [call, text] of cases) {
        const error = await bucketErrorOf(call);
        expect([error.code, error.message]).toEqual([
          'InvalidArgument',
          expect.stringContaining(text),
        ]);
      }
    });
  });
}
