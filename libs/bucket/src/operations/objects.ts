import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { bucketErrorCodeOf } from '../bucket.error-mapping';
import type {
  BucketFileInfo,
  CopyFileOptions,
  GetObjectResult,
  PutObjectResult,
} from '../bucket.types';
import { integrityError, parseContentRange, verifiedBody } from '../transfers/body-check';
import { objectDigestOf, withoutPartSize } from '../transfers/object-digest';
import {
  copySourceKeyParams,
  customerKeyParams,
  encryptionParams,
  headerParams,
  replacesHeaders,
  storedAttributes,
  taggingOf,
} from './object-attributes';
import { bucketExists } from './bucket-exists';
import { unquote } from './etag';

/** An object's metadata, from a `HeadObject`. @internal */
export async function headObject(
  client: S3Client,
  bucket: string,
  key: string,
  customerKey?: Uint8Array,
): Promise<BucketFileInfo> {
  const head = await headObjectOutput(client, bucket, key, undefined, customerKey);
  return {
    key,
    size: head.ContentLength ?? 0,
    lastModified: head.LastModified ?? new Date(0),
    etag: unquote(head.ETag) ?? '',
    contentType: head.ContentType,
    metadata: withoutPartSize(head.Metadata),
    ...storedAttributes(head),
  };
}

/**
 * The whole `HeadObject` answer. A HEAD answer has no body, so a 404 does not say whether the
 * bucket or the key is missing: a `HeadBucket` then tells.
 * @internal
 */
export async function headObjectOutput(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
  customerKey?: Uint8Array,
): Promise<HeadObjectCommandOutput> {
  try {
    return await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ...customerKeyParams(customerKey) }),
      { abortSignal: signal },
    );
  } catch (error) {
    if (
      bucketErrorCodeOf(error, { key }) === 'NoSuchKey' &&
      !(await bucketExists(client, bucket))
    ) {
      throw Object.assign(new Error('The specified bucket does not exist'), {
        name: 'NoSuchBucket',
      });
    }
    throw error;
  }
}

/**
 * An object's body as a stream, with its metadata. The stream checks itself as it is read (see
 * `verifiedBody`): its length against Content-Length and Content-Range, and a whole object's
 * bytes against its ETag where it can be recomputed (`objectDigestOf`); on a difference it is destroyed with
 * `IntegrityError`, at the end at the latest.
 * @internal
 */
export async function getObjectStream(
  client: S3Client,
  bucket: string,
  key: string,
  range: string | undefined,
  signal: AbortSignal | undefined,
  customerKey?: Uint8Array,
  verifyChecksums = true,
): Promise<GetObjectResult> {
  const output = await client.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      Range: range,
      ...customerKeyParams(customerKey),
    }),
    {
      abortSignal: signal,
    },
  );
  const contentLength = output.ContentLength ?? 0;
  const total = output.ContentRange ? Number(output.ContentRange.split('/')[1]) : contentLength;
  const context = { operation: 'getObject', bucket, key };
  const body = output.Body as Readable;
  const answered = parseContentRange(output.ContentRange);
  if (answered && answered.end - answered.start + 1 !== contentLength) {
    body.destroy();
    throw integrityError(
      context,
      `Content-Range ${String(output.ContentRange)} but Content-Length ${contentLength}`,
    );
  }
  // Only a whole object can be checked against its ETag.
  const digest =
    answered === undefined && verifyChecksums ? objectDigestOf(output, contentLength) : undefined;
  return {
    body: verifiedBody(body, { length: contentLength, digest }, context, signal),
    contentType: output.ContentType,
    contentLength,
    contentRange: output.ContentRange,
    size: Number.isFinite(total) ? total : contentLength,
    etag: unquote(output.ETag) ?? '',
    lastModified: output.LastModified ?? new Date(0),
    metadata: withoutPartSize(output.Metadata),
    ...storedAttributes(output),
  };
}

/** Where a copy comes from and goes to. @internal */
export interface CopyTarget {
  sourceBucket: string;
  sourceKey: string;
  bucket: string;
  key: string;
}

/** The `x-amz-copy-source` of an object: its bucket and URL-encoded key. @internal */
export function copySourceOf(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * A server-side copy in one `CopyObject`, keeping or replacing the metadata and headers, and the
 * tags, with the encryption asked for.
 * @internal
 */
export async function copyObject(
  client: S3Client,
  target: CopyTarget,
  options: CopyFileOptions,
): Promise<PutObjectResult> {
  const source = copySourceOf(target.sourceBucket, target.sourceKey);
  const output = await client.send(
    new CopyObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      CopySource: source,
      ...(replacesHeaders(options)
        ? {
            MetadataDirective: 'REPLACE',
            Metadata: options.metadata,
            ContentType: options.contentType,
            ...headerParams(options),
          }
        : {}),
      ...(options.tags === undefined
        ? {}
        : { TaggingDirective: 'REPLACE', Tagging: taggingOf(options.tags) ?? '' }),
      ...encryptionParams(options.encryption),
      ...copySourceKeyParams(options.sourceCustomerKey),
    }),
    { abortSignal: options.signal },
  );
  return { bucket: target.bucket, key: target.key, etag: unquote(output.CopyObjectResult?.ETag) };
}
