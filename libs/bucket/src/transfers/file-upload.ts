import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { createReadStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelay } from '../bucket.client';
import { bucketErrorCodeOf } from '../bucket.error-mapping';
import { unquote } from '../operations/objects';
import { abortErrorOf, throwIfAborted } from './abort';
import { withExactLength } from './exact-length';
import { runPartPool } from './part-pool';
import { abortLeftover, headEtag, type UploadParams, type UploadPlan } from './upload';

/** Bytes per disk read of a part: one trip to libuv's pool per MiB rather than per 64 KiB. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Uploads a local file of known size as a multipart upload whose parts are each streamed from
 * their own byte range of the file, `plan.concurrency` at a time.
 *
 * Why not lib-storage's `Upload` here (it still sends every stream given to `putObject`): it
 * must gather a stream into part buffers, copying each part once and hashing it with SHA-256 to
 * sign it. A file can be read at any offset, so each part goes from disk to socket with its
 * `ContentLength` and no copy. Measured on the local server (`bench/tune`, 256 MiB, 8 MiB x 4):
 * 111 against 90 MiB/s, 2.4 against 6.8 CPU s/GiB, 8 against 39 MiB of RSS growth.
 *
 * A part whose connection fails is read again and resent (`withPartRetries`). A part shorter or
 * longer than planned (the file changed meanwhile) fails with `InvalidArgument`. On any failure
 * the parts in flight are stopped and awaited, then the multipart upload is aborted on the
 * server (or handed to `onOrphan` when that fails too).
 *
 * @returns the ETag, without quotes
 * @internal
 */
export async function uploadFileInParts(
  client: S3Client,
  params: UploadParams,
  filePath: string,
  size: number,
  plan: UploadPlan,
): Promise<string | undefined> {
  const { signal, onProgress, partSizeBytes } = plan;
  throwIfAborted(signal);
  const context = { operation: plan.operation, bucket: params.Bucket, key: params.Key };
  const created = await client.send(new CreateMultipartUploadCommand(params), {
    abortSignal: signal,
  });
  const upload = { Bucket: params.Bucket, Key: params.Key, UploadId: created.UploadId ?? '' };
  const stop = new AbortController();
  const partSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const parts: CompletedPart[] = [];
  let bodyError: Error | undefined;
  let loaded = 0;
  try {
    await runPartPool(Math.ceil(size / partSizeBytes), plan.concurrency, stop, async (index) => {
      const start = index * partSizeBytes;
      const length = Math.min(partSizeBytes, size - start);
      const sendPart = async () => {
        const file = createReadStream(filePath, {
          start,
          end: start + length - 1,
          highWaterMark: READ_CHUNK_BYTES,
        });
        const body = withExactLength(file, length, context, (error) => {
          bodyError ??= error;
          stop.abort(error);
        });
        try {
          return await client.send(
            new UploadPartCommand({
              ...upload,
              PartNumber: index + 1,
              Body: body,
              ContentLength: length,
            }),
            { abortSignal: partSignal },
          );
        } finally {
          file.destroy();
        }
      };
      const output = await withPartRetries(sendPart, plan, partSignal, () => bodyError);
      parts[index] = { PartNumber: index + 1, ETag: output.ETag };
      loaded += length;
      onProgress?.({ loaded, total: size });
    });
    const output = await client.send(
      new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: parts } }),
      { abortSignal: signal },
    );
    // Ceph RGW 16 answers CompleteMultipartUpload with an empty ETag; HeadObject has the right one.
    const etag = unquote(output.ETag);
    return etag === undefined || etag === '' ? await headEtag(client, params) : etag;
  } catch (error) {
    await abortLeftover(client, params, upload.UploadId, plan.onOrphan);
    if (signal?.aborted) throw abortErrorOf(signal);
    throw bodyError ?? error;
  }
}

/**
 * Sends a part again after a failure the SDK itself would retry for a body in memory (a reset
 * or cut connection, a timeout, throttling, a 5xx), up to `plan.retry.maxAttempts` in all. The
 * SDK does not retry a streamed body, which it cannot rewind; a part of a file can simply be
 * read again, so a cut connection costs one part, not the upload.
 */
async function withPartRetries<T>(
  send: () => Promise<T>,
  plan: UploadPlan,
  signal: AbortSignal,
  bodyFailure: () => Error | undefined,
): Promise<T> {
  const { maxAttempts = 1, baseDelayMs = 0 } = plan.retry ?? {};
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const again =
        attempt < maxAttempts && !signal.aborted && !bodyFailure() && isRetryable(error);
      if (!again) throw error;
      await delay(backoffDelay(baseDelayMs, attempt), undefined, { signal });
    }
  }
}

function isRetryable(error: unknown): boolean {
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return (
    isTransientError(sdkError) ||
    isThrottlingError(sdkError) ||
    isServerError(sdkError) ||
    ['ConnectionFailed', 'Timeout'].includes(bucketErrorCodeOf(error))
  );
}
