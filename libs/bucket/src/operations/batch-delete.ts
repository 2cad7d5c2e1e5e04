import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucketErrorCodeOf } from '../bucket.error-mapping';
import type { DeleteFilesResult } from '../bucket.types';

/** DeleteObjects takes at most this many keys a request. */
export const DELETE_BATCH_SIZE = 1000;

/**
 * Deletes keys in batches of at most 1,000 (never 1,001), collecting the per-key failures that
 * the server reports instead of stopping at the first.
 * @internal
 */
export async function deleteInBatches(
  client: S3Client,
  bucket: string,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<DeleteFilesResult> {
  const unique = [...new Set(keys)];
  const result: DeleteFilesResult = { deleted: [], failed: [] };
  for (let start = 0; start < unique.length; start += DELETE_BATCH_SIZE) {
    const batch = unique.slice(start, start + DELETE_BATCH_SIZE);
    const output = await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
      { abortSignal: signal },
    );
    const failedKeys = new Set<string>();
    for (const error of output.Errors ?? []) {
      const key = error.Key ?? '';
      failedKeys.add(key);
      result.failed.push({
        key,
        code: bucketErrorCodeOf({ name: error.Code }, { bucket, key }),
        message: error.Message ?? error.Code ?? 'unknown error',
      });
    }
    for (const key of batch) if (!failedKeys.has(key)) result.deleted.push(key);
  }
  return result;
}
