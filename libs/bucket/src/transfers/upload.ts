import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { ObjectBody, TransferProgress } from '../bucket.types';
import { abortMultipartUpload, type MultipartUploadRef } from '../operations/multipart-cleanup';
import type { AttributeParams } from '../operations/object-attributes';
import { tagCompletedObject } from '../operations/object-tags';
import { unquote } from '../operations/etag';
import { abortErrorOf, throwIfAborted } from './abort';
import { contentMd5Of } from './content-md5';
import { withExactLength } from './exact-length';
import { withPartSize } from './object-digest';
import { isCorruption, withRetries, type RetryPolicy } from './retry';
import type { ThroughputLimit } from './stall-guard';

/** The object's attributes, as S3 names them. @internal */
export interface UploadParams extends AttributeParams {
  Bucket: string;
  Key: string;
  ContentType: string;
  Metadata?: Record<string, string>;
}

/** How to send one body. @internal */
export interface UploadPlan {
  /** The body's size when known. */
  size: number | undefined;
  /** At or below this known size, one PutObject; above, or unknown, a multipart upload. */
  multipartThresholdBytes: number;
  partSizeBytes: number;
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (progress: TransferProgress) => void;
  /** The public operation, for error messages. */
  operation: string;
  /** Told of a multipart upload that failed and could not be aborted on the server. */
  onOrphan?: (upload: MultipartUploadRef) => void;
  /** Attempts per request whose body is read from a file, and the backoff between them. */
  retry?: RetryPolicy;
  /** The slowest an upload from a file may go before it fails with `Timeout`. */
  throughput?: ThroughputLimit;
  /** Whether requests whose bytes are known carry their `Content-MD5`. */
  verifyChecksums: boolean;
}

/**
 * Sends a body: one PutObject when its size is known and at most the threshold, else a
 * multipart upload through lib-storage's `Upload`.
 *
 * An abort destroys the body stream rather than calling `Upload.abort()`: lib-storage then
 * waits for the parts in flight and aborts the multipart upload on the server *before* the
 * promise rejects, so that no upload is left behind when the caller sees the error.
 *
 * @returns the ETag, without quotes
 * @internal
 */
export async function uploadBody(
  client: S3Client,
  params: UploadParams,
  body: ObjectBody,
  plan: UploadPlan,
): Promise<string | undefined> {
  const { size, signal, onProgress } = plan;
  throwIfAborted(signal);
  const context = { operation: plan.operation, bucket: params.Bucket, key: params.Key };
  let bodyError: Error | undefined;
  // Only a stream body can fail on its own and need its request aborted: a buffer's put (the
  // hot path of small objects) makes no controller of its own.
  let abortSignal = signal;
  let checked = body;
  if (body instanceof Readable && size !== undefined) {
    const stop = new AbortController();
    abortSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    checked = withExactLength(body, size, context, (error) => {
      bodyError = error;
      stop.abort(error);
    });
  }
  if (size !== undefined && size <= plan.multipartThresholdBytes) {
    try {
      // A body in memory carries its MD5, for the server to check; a stream's bytes are not known
      // before they are sent.
      const contentMd5 =
        body instanceof Readable || !plan.verifyChecksums ? undefined : contentMd5Of(body);
      const send = () =>
        client.send(
          new PutObjectCommand({
            ...params,
            Body: checked,
            ContentLength: size,
            ContentMD5: contentMd5,
          }),
          { abortSignal },
        );
      // The SDK retries a body in memory after a transient failure, but not after the server
      // refused it as corrupted (a 400): that one is sent again here. A stream cannot be.
      const output =
        body instanceof Readable
          ? await send()
          : await withRetries(send, plan.retry, abortSignal, undefined, isCorruption);
      onProgress?.({ loaded: size, total: size });
      return unquote(output.ETag);
    } catch (error) {
      throw bodyError ?? error;
    }
  }

  const source = checked instanceof Readable ? checked : Readable.from([Buffer.from(checked)]);
  const upload = new Upload({
    client,
    params: {
      ...params,
      // lib-storage sends parts of this one size (the last one shorter): recorded for downloads.
      Metadata: withPartSize(params.Metadata, plan.partSizeBytes),
      Body: source,
      ...(size === undefined ? {} : { ContentLength: size }),
    },
    partSize: plan.partSizeBytes,
    queueSize: plan.concurrency,
    leavePartsOnError: false,
  });
  if (onProgress) {
    let reported = -1;
    upload.on('httpUploadProgress', ({ loaded }) => {
      // lib-storage reports per part; parts finish out of order, the total only grows.
      if (loaded !== undefined && loaded > reported) {
        reported = loaded;
        onProgress({ loaded, total: size });
      }
    });
  }
  const abort = () => {
    if (signal) source.destroy(abortErrorOf(signal));
  };
  signal?.addEventListener('abort', abort, { once: true });
  let etag: string | undefined;
  try {
    etag = unquote((await upload.done()).ETag);
  } catch (error) {
    await abortLeftover(client, params, upload.uploadId, plan.onOrphan);
    // lib-storage rethrows the stream's error; report the abort as an abort.
    if (signal?.aborted) throw abortErrorOf(signal);
    throw bodyError ?? error;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  // The upload is complete: a failure from here on has no multipart upload to abort.
  if (params.Tagging !== undefined) await tagCompletedObject(client, params, params.Tagging);
  // Ceph RGW 16 answers CompleteMultipartUpload with an empty ETag; HeadObject has the right one.
  return etag === undefined || etag === '' ? await headEtag(client, params) : etag;
}

/**
 * Makes sure a failed multipart upload is gone from the server. lib-storage aborts it itself,
 * but that request fails too when the connection is what failed: such an upload is handed to
 * `onOrphan`, to be aborted once the server is back.
 * @internal
 */
export async function abortLeftover(
  client: S3Client,
  params: Pick<UploadParams, 'Bucket' | 'Key'>,
  uploadId: string | undefined,
  onOrphan: UploadPlan['onOrphan'],
): Promise<void> {
  if (!uploadId) return;
  const upload = { Bucket: params.Bucket, Key: params.Key, UploadId: uploadId };
  try {
    await abortMultipartUpload(client, upload);
  } catch {
    onOrphan?.(upload);
  }
}

/** The object's ETag from a HeadObject. @internal */
export async function headEtag(
  client: S3Client,
  params: { Bucket: string; Key: string; SSECustomerAlgorithm?: string; SSECustomerKey?: string },
): Promise<string | undefined> {
  const head = await client.send(
    new HeadObjectCommand({
      Bucket: params.Bucket,
      Key: params.Key,
      SSECustomerAlgorithm: params.SSECustomerAlgorithm,
      SSECustomerKey: params.SSECustomerKey,
    }),
  );
  return unquote(head.ETag);
}
