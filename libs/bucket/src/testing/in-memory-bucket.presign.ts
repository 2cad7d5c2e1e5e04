import type { PresignedUrlOptions } from '../bucket.types';
import { assertValidBucketName, assertValidObjectAddress } from '../bucket.validation';
import { assertPresignedPostOptions } from '../operations/presigned-post';
import { assertPresignedUrlOptions, presignedPutHeaders } from '../operations/presigned-url';
import type { PresignedPost, PresignedPostOptions } from '../presigned-post.types';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import { simulatedError } from './in-memory-bucket.faults';

/**
 * The presigning operations of the in-memory fake (`getPresignedUrl`, `createPresignedPost`),
 * signed locally as the real ones are (`operations/presigned-url.ts`,
 * `operations/presigned-post.ts`): they neither connect nor check the bucket or the key; only a
 * failure scheduled for the operation itself applies.
 * @internal
 */

/** A presigned GET or PUT URL on the fake's `memory://` endpoint. @internal */
export async function getPresignedUrl(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
  options: PresignedUrlOptions,
): Promise<string> {
  const operation = 'getPresignedUrl';
  assertValidObjectAddress(bucket, key, operation);
  const context = { operation, bucket, key } as const;
  assertPresignedUrlOptions(options, context);
  const method = options.method ?? 'GET';
  await Promise.resolve();
  const failure = backend.failures.take({ ...context, implicit: true });
  if (failure) throw simulatedError(failure.code, failure.detail, context);
  const expiresIn = options.expiresIn ?? 900;
  const headers = presignedPutHeaders(options);
  return backend.presigner.sign(
    backend.endpoint,
    { method, bucket, key, headers },
    expiresIn,
    backend.now(),
  );
}

/** A presigned POST form for `memory://.../<bucket>`, under the policy the options state. @internal */
export async function createPresignedPost(
  backend: InMemoryBackend,
  bucket: string,
  options: PresignedPostOptions,
): Promise<PresignedPost> {
  const operation = 'createPresignedPost';
  assertValidBucketName(bucket, operation);
  const context = { operation, bucket, key: options.key } as const;
  assertPresignedPostOptions(options, context);
  await Promise.resolve();
  const failure = backend.failures.take({ ...context, implicit: true });
  if (failure) throw simulatedError(failure.code, failure.detail, context);
  return backend.postSigner.sign(backend.endpoint, bucket, options, backend.now());
}
