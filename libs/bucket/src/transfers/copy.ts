import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type CreateMultipartUploadCommandInput,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createBucketError, type BucketErrorContext } from '../bucket.errors';
import { operationFailed } from '../bucket.messages';
import type { CopyFileOptions, PutObjectResult } from '../bucket.types';
import type { MultipartUploadRef } from '../operations/multipart-cleanup';
import { unquote } from '../operations/etag';
import { copyObject, copySourceOf, headObjectOutput, type CopyTarget } from '../operations/objects';
import { inChildSpan } from '../observability/child-span';
import { abortErrorOf, throwIfAborted } from './abort';
import {
  copySourceKeyParams,
  encryptionParams,
  headerParams,
  replacesHeaders,
} from '../operations/object-attributes';
import { tagCompletedObject, tagSetOf, tagsOf } from '../operations/object-tags';
import { withPartSize } from './object-digest';
import { planParts } from './part-plan';
import { runPartPool } from './part-pool';
import { abortLeftover, headEtag } from './upload';

/** How to copy one object. @internal */
export interface CopyPlan {
  /** Objects larger than this go in parts. */
  multipartThresholdBytes: number;
  /** The part size asked for; the part planner may grow it. */
  partSizeBytes: number;
  concurrency: number;
  signal?: AbortSignal;
  /** The public operation, for error messages. */
  operation: string;
  /** Told of a multipart upload that failed and could not be aborted on the server. */
  onOrphan?: (upload: MultipartUploadRef) => void;
}

/**
 * Copies an object of any size on the server (no bytes go through this process): one
 * `CopyObject` up to `plan.multipartThresholdBytes`, else a multipart upload whose parts are
 * `UploadPartCopy` ranges of the source, `plan.concurrency` at a time. Every part is copied only
 * if the source still has the ETag it had when the copy began (`x-amz-copy-source-if-match`),
 * so a source rewritten meanwhile fails the copy instead of mixing two versions.
 *
 * @internal
 */
export async function copyAnySize(
  client: S3Client,
  target: CopyTarget,
  options: CopyFileOptions,
  plan: CopyPlan,
): Promise<PutObjectResult> {
  const { signal } = plan;
  throwIfAborted(signal);
  const head = await headObjectOutput(
    client,
    target.sourceBucket,
    target.sourceKey,
    signal,
    options.sourceCustomerKey,
  );
  const size = head.ContentLength ?? 0;
  if (size <= plan.multipartThresholdBytes) {
    const result = await copyObject(client, target, { ...options, signal });
    // Ceph RGW 16 ignores TaggingDirective: REPLACE (and drops the tags): set them once more.
    if (options.tags !== undefined) {
      const copy = { Bucket: target.bucket, Key: target.key };
      await tagCompletedObject(client, copy, tagSetOf(options.tags), signal);
    }
    options.onProgress?.({ loaded: size, total: size });
    return result;
  }
  const params = destinationParams(target, head, options);
  // One CopyObject keeps the source's tags: read them before anything is written.
  const tags =
    options.tags === undefined
      ? await tagsOf(client, { Bucket: target.sourceBucket, Key: target.sourceKey }, signal)
      : tagSetOf(options.tags);
  const etag = await copyInParts(client, target, params, head, size, options, plan);
  if (tags.length > 0) await tagCompletedObject(client, params, tags, signal);
  return { bucket: target.bucket, key: target.key, etag };
}

/**
 * What the new object is created with: the source's content type, metadata and other headers,
 * as one `CopyObject` keeps them, unless the options replace them (then, as with
 * `MetadataDirective: REPLACE`, those not given are not copied); and the encryption asked for.
 */
function destinationParams(
  target: CopyTarget,
  head: HeadObjectCommandOutput,
  options: CopyFileOptions,
): CreateMultipartUploadCommandInput & { Bucket: string; Key: string } {
  const base = {
    Bucket: target.bucket,
    Key: target.key,
    ...encryptionParams(options.encryption),
  };
  if (replacesHeaders(options)) {
    return {
      ...base,
      ContentType: options.contentType,
      Metadata: options.metadata,
      ...headerParams(options),
    };
  }
  return {
    ...base,
    ContentType: head.ContentType,
    Metadata: head.Metadata,
    CacheControl: head.CacheControl,
    ContentDisposition: head.ContentDisposition,
    ContentEncoding: head.ContentEncoding,
    ContentLanguage: head.ContentLanguage,
    Expires: expiresOf(head.ExpiresString),
  };
}

/**
 * Fails with `PreconditionFailed` when the source's ETag is no longer the one the copy began
 * with: its parts may then mix two versions. AWS refuses such parts itself
 * (`x-amz-copy-source-if-match`); Ceph RGW 16 ignores that header, so this check, made before
 * the parts are joined, is what keeps a mixed object from being stored on every server.
 */
async function assertSourceUnchanged(
  client: S3Client,
  target: CopyTarget,
  head: HeadObjectCommandOutput,
  context: BucketErrorContext,
  signal: AbortSignal | undefined,
  sourceCustomerKey: Uint8Array | undefined,
): Promise<void> {
  const now = await headObjectOutput(
    client,
    target.sourceBucket,
    target.sourceKey,
    signal,
    sourceCustomerKey,
  );
  if (now.ETag === head.ETag) return;
  const detail = `the source's ETag changed from ${String(head.ETag)} to ${String(now.ETag)} during the copy`;
  throw createBucketError(
    'PreconditionFailed',
    operationFailed('PreconditionFailed', context, detail),
    context,
  );
}

/** The source's `Expires` header as a date, when it is one (S3 stores any string there). */
function expiresOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

async function copyInParts(
  client: S3Client,
  target: CopyTarget,
  params: CreateMultipartUploadCommandInput & { Bucket: string; Key: string },
  head: HeadObjectCommandOutput,
  size: number,
  options: CopyFileOptions,
  plan: CopyPlan,
): Promise<string | undefined> {
  const { signal } = plan;
  const context = { operation: plan.operation, bucket: target.sourceBucket, key: target.sourceKey };
  const { partSizeBytes, partCount } = planParts(size, plan.partSizeBytes, context);
  // The source's recorded part size, copied with its metadata, is replaced by the copy's own.
  const created = await client.send(
    new CreateMultipartUploadCommand({
      ...params,
      Metadata: withPartSize(params.Metadata, partSizeBytes),
    }),
    { abortSignal: signal },
  );
  const upload = { Bucket: params.Bucket, Key: params.Key, UploadId: created.UploadId ?? '' };
  const stop = new AbortController();
  const partSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const copySource = copySourceOf(target.sourceBucket, target.sourceKey);
  const spanTarget = {
    bucket: upload.Bucket,
    key: upload.Key,
    uploadId: upload.UploadId,
    copySource,
  };
  const parts: CompletedPart[] = [];
  let loaded = 0;
  try {
    // No body: the SDK itself retries each part on a transient failure.
    await runPartPool(partCount, plan.concurrency, stop, async (index) => {
      const start = index * partSizeBytes;
      const end = Math.min(size, start + partSizeBytes) - 1;
      const partTarget = { ...spanTarget, partNumber: index + 1, range: { start, end } };
      const output = await inChildSpan(`${plan.operation} part`, partTarget, () =>
        client.send(
          new UploadPartCopyCommand({
            ...upload,
            PartNumber: index + 1,
            CopySource: copySource,
            CopySourceRange: `bytes=${start}-${end}`,
            CopySourceIfMatch: head.ETag,
            ...copySourceKeyParams(options.sourceCustomerKey),
            // An SSE-C destination gives its key with every part.
            SSECustomerAlgorithm: params.SSECustomerAlgorithm,
            SSECustomerKey: params.SSECustomerKey,
          }),
          { abortSignal: partSignal },
        ),
      );
      parts[index] = { PartNumber: index + 1, ETag: output.CopyPartResult?.ETag };
      loaded += end - start + 1;
      options.onProgress?.({ loaded, total: size });
    });
    await assertSourceUnchanged(client, target, head, context, signal, options.sourceCustomerKey);
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
    throw error;
  }
}
