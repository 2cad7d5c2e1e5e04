import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BucketErrorContext } from '../bucket.errors';
import type {
  CompletedUploadPart,
  CreateMultipartUploadOptions,
  UploadedPart,
} from '../bucket.types';
import { assertOptionalInteger, describeValue, invalidArgument } from '../bucket.validation';
import { attributeParams } from './object-attributes';
import { unquote } from './etag';

/** S3's part numbers: 1 to 10,000. */
const MAX_PART_NUMBER = 10_000;

/** Checks an upload id before any request: a non-empty string. @internal */
export function assertUploadId(uploadId: unknown, context: BucketErrorContext): void {
  if (typeof uploadId !== 'string' || uploadId === '') {
    throw invalidArgument(
      context,
      `uploadId = ${describeValue(uploadId)}: must be a non-empty string`,
    );
  }
}

/** Checks part numbers before any request: whole numbers from 1 to 10,000. @internal */
export function assertPartNumbers(partNumbers: unknown, context: BucketErrorContext): void {
  if (!Array.isArray(partNumbers) || partNumbers.length === 0) {
    const given = Array.isArray(partNumbers) ? '[]' : describeValue(partNumbers);
    throw invalidArgument(context, `partNumbers = ${given}: must be a non-empty array`);
  }
  for (const partNumber of partNumbers) {
    assertOptionalInteger(partNumber, 'partNumber', 1, MAX_PART_NUMBER, context);
    if (partNumber === undefined) {
      throw invalidArgument(
        context,
        'partNumber = undefined: must be a whole number from 1 to 10000',
      );
    }
  }
}

/**
 * Checks the parts named to complete an upload: at least one, numbers from 1 to 10,000, each
 * once, each with an ETag. @internal
 */
export function assertCompletedParts(parts: unknown, context: BucketErrorContext): void {
  if (!Array.isArray(parts) || parts.length === 0) {
    const given = Array.isArray(parts) ? '[]' : describeValue(parts);
    throw invalidArgument(context, `parts = ${given}: must be a non-empty array`);
  }
  const seen = new Set<number>();
  for (const part of parts as Partial<CompletedUploadPart>[]) {
    const { partNumber } = part;
    if (partNumber === undefined)
      throw invalidArgument(
        context,
        'partNumber = undefined: must be a whole number from 1 to 10000',
      );
    assertPartNumbers([partNumber], context);
    if (typeof part.etag !== 'string' || part.etag === '') {
      throw invalidArgument(
        context,
        `parts[partNumber ${String(part.partNumber)}].etag = ${describeValue(part.etag)}: must be the ETag the part's upload answered`,
      );
    }
    if (seen.has(partNumber)) {
      throw invalidArgument(context, `partNumber ${partNumber} is named twice`);
    }
    seen.add(partNumber);
  }
}

/** Begins a multipart upload whose parts another client (a browser) sends. @internal */
export async function createUpload(
  client: S3Client,
  bucket: string,
  key: string,
  options: CreateMultipartUploadOptions,
): Promise<string> {
  const output = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      ContentType: options.contentType ?? 'application/octet-stream',
      Metadata: options.metadata,
      ...attributeParams(options),
    }),
  );
  return output.UploadId ?? '';
}

/** A presigned `UploadPart` URL, signed locally. @internal */
export function signPart(
  client: S3Client,
  upload: { bucket: string; key: string; uploadId: string },
  partNumber: number,
  expiresIn: number,
): Promise<string> {
  const command = new UploadPartCommand({
    Bucket: upload.bucket,
    Key: upload.key,
    UploadId: upload.uploadId,
    PartNumber: partNumber,
  });
  return getSignedUrl(client, command, { expiresIn });
}

/**
 * Ceph RGW 16 answers a request on an upload that is gone (completed, aborted) with 404
 * `NoSuchKey`, where AWS answers `NoSuchUpload`: told apart here, so both give `NoSuchUpload`.
 */
function asUploadError(error: unknown): unknown {
  if ((error as { name?: unknown }).name !== 'NoSuchKey') return error;
  return Object.assign(new Error('The specified upload does not exist.'), {
    name: 'NoSuchUpload',
    $metadata: { httpStatusCode: 404 },
    cause: error,
  });
}

/** Every part the server holds for an unfinished upload, in part order. @internal */
export async function listParts(
  client: S3Client,
  upload: { bucket: string; key: string; uploadId: string },
): Promise<UploadedPart[]> {
  const parts: UploadedPart[] = [];
  // Not paginateListParts: it follows NextPartNumberMarker alone, which Ceph RGW 16 sets on the
  // last page too, so it asked for the same page forever. IsTruncated says when to stop.
  let marker: string | undefined;
  for (;;) {
    const page = await client
      .send(
        new ListPartsCommand({
          Bucket: upload.bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          PartNumberMarker: marker,
        }),
      )
      .catch((error: unknown) => {
        throw asUploadError(error);
      });
    for (const part of page.Parts ?? []) {
      parts.push({
        partNumber: part.PartNumber ?? 0,
        size: part.Size ?? 0,
        etag: unquote(part.ETag) ?? '',
      });
    }
    if (page.IsTruncated !== true || page.NextPartNumberMarker === undefined) break;
    marker = page.NextPartNumberMarker;
  }
  return parts.sort((a, b) => a.partNumber - b.partNumber);
}

/**
 * Joins the parts, sorted by number, into the object.
 * @returns the object's ETag, without quotes (read back with a HEAD where the server, as Ceph RGW
 * 16, answers an empty one)
 * @internal
 */
export async function completeUpload(
  client: S3Client,
  upload: { bucket: string; key: string; uploadId: string },
  parts: CompletedUploadPart[],
): Promise<string | undefined> {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  const output = await client
    .send(
      new CompleteMultipartUploadCommand({
        Bucket: upload.bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
        MultipartUpload: {
          Parts: sorted.map((part) => ({
            PartNumber: part.partNumber,
            ETag: `"${unquote(part.etag) ?? ''}"`,
          })),
        },
      }),
    )
    .catch(async (error: unknown) => {
      // Ceph RGW 16 answers the completion of an aborted upload with "This multipart completion
      // is already in progress": whether the upload is still there tells what happened.
      await listParts(client, upload);
      throw asUploadError(error);
    });
  return unquote(output.ETag);
}
