import { BUCKET_OPTION_DEFAULTS } from '../bucket.options';
import type { CopyFileOptions, PutObjectResult } from '../bucket.types';
import { assertCopyOptions, assertValidObjectAddress } from '../bucket.validation';
import {
  assertUploadAttributes,
  changesObject,
  replacesHeaders,
} from '../operations/object-attributes';
import { throwIfAborted } from '../transfers/abort';
import { planParts } from '../transfers/part-plan';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import {
  S3_DEFAULT_CONTENT_TYPE,
  normaliseMetadata,
  requireCustomerKey,
  storedAttributesOf,
} from './in-memory-bucket.object-attributes';
import { headObject } from './in-memory-bucket.objects';
import { s3Error } from './in-memory-bucket.sdk-errors';
import type { StoredObject } from './in-memory-bucket.store';
import { multipartEtag } from './s3-etag';

/**
 * The copies of the in-memory fake (`copyFile`, `moveFile`): one `CopyObject`, or above the
 * copy threshold a copy in parts, with the ETag, progress and metadata rules of the real one
 * (`transfers/copy.ts`).
 * @internal
 */

/** Where a copy goes from and to. */
interface CopyRoute {
  sourceBucket: string;
  sourceKey: string;
  destinationBucket: string;
  destinationKey: string;
}

/** Stores the copy of `source`, with its metadata and content type unless they are replaced. */
function storeCopy(
  backend: InMemoryBackend,
  source: StoredObject,
  route: CopyRoute,
  options: CopyFileOptions,
  etag: string,
): PutObjectResult {
  const { destinationBucket, destinationKey } = route;
  const replace = replacesHeaders(options);
  const given = storedAttributesOf(options);
  const copy: StoredObject = {
    key: destinationKey,
    data: source.data,
    etag,
    contentType: replace ? (options.contentType ?? S3_DEFAULT_CONTENT_TYPE) : source.contentType,
    metadata: replace ? normaliseMetadata(options.metadata) : source.metadata,
    headers: replace ? given.headers : source.headers,
    tags: options.tags === undefined ? source.tags : given.tags,
    // As S3: the copy is encrypted as asked, not as its source was.
    ...(given.encryption ? { encryption: given.encryption } : {}),
    lastModified: backend.now(),
  };
  backend.store.putObject(destinationBucket, copy);
  return { bucket: destinationBucket, key: destinationKey, etag: copy.etag };
}

/**
 * A `CopyObject`, or above the copy threshold a copy in parts (whose ETag is a multipart one,
 * with progress once a part): keeps or replaces the metadata and content type, as S3 does.
 */
function copy(
  backend: InMemoryBackend,
  route: CopyRoute,
  options: CopyFileOptions,
): PutObjectResult {
  const { sourceBucket, sourceKey, destinationBucket, destinationKey } = route;
  throwIfAborted(options.signal);
  const source = backend.requireObject(sourceBucket, sourceKey);
  requireCustomerKey(source, options.sourceCustomerKey);
  const size = source.data.length;
  const threshold =
    options.multipartThresholdBytes ??
    backend.options.multipartCopyThresholdBytes ??
    BUCKET_OPTION_DEFAULTS.multipartCopyThresholdBytes;
  if (size > threshold) {
    const asked =
      options.partSizeBytes ??
      backend.options.partSizeBytes ??
      BUCKET_OPTION_DEFAULTS.partSizeBytes;
    const context = { operation: 'copyFile', bucket: sourceBucket, key: sourceKey };
    const { partSizeBytes } = planParts(size, asked, context);
    // CreateMultipartUpload goes to the destination bucket.
    backend.requireBucket(destinationBucket);
    for (let loaded = partSizeBytes; ; loaded += partSizeBytes) {
      throwIfAborted(options.signal);
      options.onProgress?.({ loaded: Math.min(loaded, size), total: size });
      if (loaded >= size) break;
    }
    return storeCopy(backend, source, route, options, multipartEtag(source.data, partSizeBytes));
  }
  // The request goes to the destination bucket: S3 finds it missing first.
  backend.requireBucket(destinationBucket);
  if (
    !changesObject(options) &&
    sourceBucket === destinationBucket &&
    sourceKey === destinationKey
  ) {
    throw s3Error(
      'InvalidRequest',
      400,
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const result = storeCopy(backend, source, route, options, source.etag);
  options.onProgress?.({ loaded: size, total: size });
  return result;
}

/** Checks a copy's or a move's addresses and options before anything else, as the real one. */
function checkCopy(operation: 'copyFile' | 'moveFile', route: CopyRoute, options: CopyFileOptions) {
  const { sourceBucket, sourceKey, destinationBucket, destinationKey } = route;
  assertValidObjectAddress(sourceBucket, sourceKey, operation);
  assertValidObjectAddress(destinationBucket, destinationKey, operation);
  const context = { operation, bucket: sourceBucket, key: sourceKey } as const;
  assertCopyOptions(options, context);
  assertUploadAttributes(options, context);
  return context;
}

/**
 * Copies an object, with its content type and metadata unless `metadata` or `contentType` is
 * given (then both are replaced). The copy keeps the source's ETag and gets a new date.
 * @internal
 */
export async function copyFile(
  backend: InMemoryBackend,
  route: CopyRoute,
  options: CopyFileOptions,
): Promise<PutObjectResult> {
  const context = checkCopy('copyFile', route, options);
  return backend.connection.run(context, () => copy(backend, route, options));
}

/**
 * Moves an object: a copy, then the source's deletion, as the real one. Moving an object onto
 * itself changes nothing.
 * @internal
 */
export async function moveFile(
  backend: InMemoryBackend,
  route: CopyRoute,
  options: CopyFileOptions,
): Promise<PutObjectResult> {
  const context = checkCopy('moveFile', route, options);
  const { sourceBucket, sourceKey, destinationBucket, destinationKey } = route;
  const same = sourceBucket === destinationBucket && sourceKey === destinationKey;
  return backend.connection.run(context, () => {
    if (same && !changesObject(options)) {
      const info = headObject(backend, sourceBucket, sourceKey);
      return { bucket: sourceBucket, key: sourceKey, etag: info.etag };
    }
    const result = copy(backend, route, options);
    if (!same) backend.store.deleteObject(sourceBucket, sourceKey);
    return result;
  });
}
