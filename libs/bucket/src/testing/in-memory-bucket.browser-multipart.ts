import type { BucketErrorContext } from '../bucket.errors';
import type {
  CompletedUploadPart,
  CreateMultipartUploadOptions,
  MultipartUploadStarted,
  PutObjectResult,
  SignUploadPartOptions,
  UploadedPart,
} from '../bucket.types';
import { assertOptionalInteger, assertValidObjectAddress } from '../bucket.validation';
import {
  assertCompletedParts,
  assertPartNumbers,
  assertUploadId,
} from '../operations/browser-multipart';
import { assertNoCustomerKey, assertUploadAttributes } from '../operations/object-attributes';
import type { BucketOperation } from './bucket-service-contract';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import { simulatedError } from './in-memory-bucket.faults';
import { isRefusal, type PendingUpload } from './in-memory-bucket.multipart';
import { normaliseMetadata, storedAttributesOf } from './in-memory-bucket.object-attributes';
import { s3Error } from './in-memory-bucket.sdk-errors';

/**
 * The multipart uploads of the in-memory fake whose parts a browser sends to presigned URLs
 * (`createMultipartUpload`, `signUploadPart(s)`, `listUploadParts`, `completeMultipartUpload`,
 * `abortMultipartUpload`), as `operations/browser-multipart.ts` are the real service's. The parts
 * themselves arrive through `fetchPresignedUrl`.
 * @internal
 */

/** An upload's address: `bucket`, `key` and `uploadId`. */
interface UploadAddress {
  bucket: string;
  key: string;
  uploadId: string;
}

/** Checks a multipart upload's address before anything else, as the real service. */
function uploadContext<O extends BucketOperation>(
  operation: O,
  { bucket, key, uploadId }: UploadAddress,
  expiresIn?: number,
): BucketErrorContext & { operation: O } {
  assertValidObjectAddress(bucket, key, operation);
  const context = { operation, bucket, key };
  assertUploadId(uploadId, context);
  assertOptionalInteger(expiresIn, 'expiresIn', 1, 604_800, context);
  return context;
}

/** An unfinished upload, or the error S3 answers for a missing bucket or upload. */
function pendingUpload(
  backend: InMemoryBackend,
  { bucket, key, uploadId }: UploadAddress,
): PendingUpload {
  backend.requireBucket(bucket);
  const upload = backend.multipart.find(bucket, key, uploadId);
  if (isRefusal(upload)) throw s3Error(upload.name, upload.status, upload.message);
  return upload;
}

/** Begins a multipart upload as S3 does. @internal */
export async function createMultipartUpload(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
  options: CreateMultipartUploadOptions,
): Promise<MultipartUploadStarted> {
  const operation = 'createMultipartUpload' as const;
  assertValidObjectAddress(bucket, key, operation);
  const context = { operation, bucket, key };
  assertUploadAttributes(options, context);
  assertNoCustomerKey(options, context);
  return backend.connection.run(context, () => {
    backend.requireBucket(bucket);
    return { bucket, key, uploadId: backend.multipart.create(bucket, key, { ...options }) };
  });
}

/** Part URLs, signed locally: only a failure scheduled for the operation applies. @internal */
export async function signParts(
  backend: InMemoryBackend,
  operation: 'signUploadPart' | 'signUploadParts',
  address: UploadAddress,
  partNumbers: number[],
  options: SignUploadPartOptions,
): Promise<Record<number, string>> {
  const { bucket, key, uploadId } = address;
  const context = uploadContext(operation, address, options.expiresIn);
  assertPartNumbers(partNumbers, context);
  await Promise.resolve();
  const failure = backend.failures.take({ ...context, implicit: true });
  if (failure) throw simulatedError(failure.code, failure.detail, context);
  const expiresIn = options.expiresIn ?? 900;
  return Object.fromEntries(
    partNumbers.map((partNumber) => [
      partNumber,
      backend.presigner.sign(
        backend.endpoint,
        { method: 'PUT', bucket, key, part: { uploadId, partNumber } },
        expiresIn,
        backend.now(),
      ),
    ]),
  );
}

/** The parts held for an unfinished upload, in part order. @internal */
export async function listUploadParts(
  backend: InMemoryBackend,
  address: UploadAddress,
): Promise<UploadedPart[]> {
  const context = uploadContext('listUploadParts', address);
  return backend.connection.run(context, () =>
    backend.multipart.list(pendingUpload(backend, address)),
  );
}

/** Joins the parts as S3 does (`InvalidPart`, `EntityTooSmall`), and stores the object. @internal */
export async function completeMultipartUpload(
  backend: InMemoryBackend,
  address: UploadAddress,
  parts: CompletedUploadPart[],
): Promise<PutObjectResult> {
  const { bucket, key, uploadId } = address;
  const context = uploadContext('completeMultipartUpload', address);
  assertCompletedParts(parts, context);
  return backend.connection.run(context, () => {
    const joined = backend.multipart.complete(uploadId, pendingUpload(backend, address), parts);
    if (isRefusal(joined)) throw s3Error(joined.name, joined.status, joined.message);
    const { options } = joined.upload;
    backend.store.putObject(bucket, {
      key,
      data: joined.data,
      etag: joined.etag,
      contentType: options.contentType ?? 'application/octet-stream',
      metadata: normaliseMetadata(options.metadata),
      ...storedAttributesOf(options),
      lastModified: backend.now(),
    });
    return { bucket, key, etag: joined.etag };
  });
}

/** Drops an upload and its parts; one already gone counts as done. @internal */
export async function abortMultipartUpload(
  backend: InMemoryBackend,
  address: UploadAddress,
): Promise<void> {
  const context = uploadContext('abortMultipartUpload', address);
  await backend.connection.run(context, () => {
    backend.requireBucket(address.bucket);
    backend.multipart.abort(address.uploadId);
  });
}
