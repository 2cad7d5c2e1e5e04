import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { unquote } from '../operations/etag';
import { abortErrorOf, throwIfAborted } from './abort';
import { contentMd5OfFileRange, sendFileRange } from './file-range';
import { withRetries } from './retry';
import { watchThroughput } from './stall-guard';
import type { UploadParams, UploadPlan } from './upload';

/**
 * Uploads a local file of known size, at most the multipart threshold, in one PutObject
 * streamed from disk, with its `Content-MD5` (hashed from the file first, as a stream) so that
 * the server refuses bytes corrupted on the way (`BadDigest`).
 *
 * The SDK cannot retry a streamed body; the file can simply be opened again: a transient
 * failure (a cut connection, a 5xx, throttling, a `BadDigest`) resends it, up to
 * `plan.retry.maxAttempts` in all. A file whose size changed meanwhile fails with
 * `InvalidArgument`, at once; an upload slower than `plan.throughput` allows, with `Timeout`.
 *
 * @returns the ETag, without quotes
 * @internal
 */
export async function putFile(
  client: S3Client,
  params: UploadParams,
  filePath: string,
  size: number,
  plan: UploadPlan,
): Promise<string | undefined> {
  const { signal } = plan;
  throwIfAborted(signal);
  const context = { operation: plan.operation, bucket: params.Bucket, key: params.Key };
  const stop = new AbortController();
  const abortSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let bodyError: Error | undefined;
  const fail = (error: Error) => {
    bodyError ??= error;
    stop.abort(error);
  };
  const guard = watchThroughput(plan.throughput, context, fail);
  const range = { path: filePath, start: 0, length: size };
  try {
    const contentMd5 = plan.verifyChecksums
      ? await contentMd5OfFileRange(range, abortSignal)
      : undefined;
    const sendOnce = () =>
      sendFileRange(range, context, { onFailure: fail, onBytes: guard.count }, (body) =>
        client.send(
          new PutObjectCommand({
            ...params,
            Body: body,
            ContentLength: size,
            ContentMD5: contentMd5,
          }),
          { abortSignal },
        ),
      );
    const output = await withRetries(
      sendOnce,
      plan.retry,
      abortSignal,
      () => bodyError !== undefined,
    );
    plan.onProgress?.({ loaded: size, total: size });
    return unquote(output.ETag);
  } catch (error) {
    if (signal?.aborted) throw abortErrorOf(signal);
    throw bodyError ?? error;
  } finally {
    guard.stop();
  }
}
