import type { DeleteBucketOptions } from '../bucket.types';
import { assertValidBucketName } from '../bucket.validation';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import { s3Error } from './in-memory-bucket.sdk-errors';

/**
 * The bucket operations of the in-memory fake (`getBucketNames`, `createBucket`, `deleteBucket`),
 * as `operations/buckets.ts` are the real service's.
 * @internal
 */

/** The name of every bucket, in byte order, as `ListBuckets` gives them. @internal */
export async function getBucketNames(backend: InMemoryBackend): Promise<string[]> {
  return backend.connection.run({ operation: 'getBucketNames' }, () => backend.store.bucketNames());
}

/** Creates a bucket; one that exists is refused as S3 refuses it to its owner. @internal */
export async function createBucket(backend: InMemoryBackend, name: string): Promise<void> {
  assertValidBucketName(name, 'createBucket');
  await backend.connection.run({ operation: 'createBucket', bucket: name }, () => {
    if (!backend.store.createBucket(name, backend.now())) {
      throw Object.assign(new Error('the bucket exists and is owned by these credentials'), {
        name: 'BucketAlreadyOwnedByYou',
      });
    }
  });
}

/** Deletes a bucket; with `{ force: true }`, with everything in it. @internal */
export async function deleteBucket(
  backend: InMemoryBackend,
  name: string,
  options: DeleteBucketOptions,
): Promise<void> {
  assertValidBucketName(name, 'deleteBucket');
  await backend.connection.run({ operation: 'deleteBucket', bucket: name }, () => {
    if (options.force) backend.store.emptyBucket(name);
    const outcome = backend.store.deleteBucket(name);
    if (outcome === 'missing') throw s3Error('NoSuchBucket', 404);
    if (outcome === 'not-empty') throw s3Error('BucketNotEmpty', 409);
  });
}
