import type { BucketErrorCode } from 'nest-bucket';
import { bucketErrorOf, errorCodeOf } from '../support/bucket-errors';
import { md5 } from '../support/files';
import type { ContractContext } from './shared';

/**
 * Presigned POST forms: uploads within the policy, refusals outside it, and option checks.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describePresignedPostContract(context: () => ContractContext): void {
  describe('presigned POST (a form upload under a policy the server enforces)', () => {
    /** Sends the form as a browser does: the policy's fields, then the file, last. */
    async function postForm(
      post: { url: string; fields: Record<string, string> },
      file: { data: Buffer; name: string },
      override: Record<string, string> = {},
    ): Promise<Response> {
      const { fetchUrl } = context();
      const form = new FormData();
      for (const [name, value] of Object.entries({ ...post.fields, ...override }))
        form.append(name, value);
      form.append('file', new Blob([file.data]), file.name);
      return fetchUrl(post.url, { method: 'POST', body: form });
    }

    it('an upload within the policy is stored under the prefix with its name, type and metadata', async () => {
      const { service, bucket } = context();
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
      const { service, bucket } = context();
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
      const { service, bucket } = context();
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
}
