import { Readable } from 'node:stream';
import { BucketError } from '../bucket.errors';
import type {
  BucketFileInfo,
  CustomerKeyOption,
  DeleteFilesResult,
  GetObjectOptions,
  GetObjectResult,
} from '../bucket.types';
import {
  assertValidBucketName,
  assertValidKey,
  assertValidObjectAddress,
  toRangeHeader,
} from '../bucket.validation';
import { assertReadKey } from '../operations/object-attributes';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import {
  attributesOf,
  fileInfoOf,
  requireCustomerKey,
  toSecond,
} from './in-memory-bucket.object-attributes';
import { bodyAbortedError, s3Error, sdkAbortError } from './in-memory-bucket.sdk-errors';
import { resolveRange } from './s3-range';

/**
 * The object operations of the in-memory fake that are not transfers: read (`getObject`),
 * describe (`getBucketFile`, `fileExists`) and delete (`deleteFile`, `deleteFiles`), as
 * `operations/objects.ts` and `operations/batch-delete.ts` are the real service's.
 * @internal
 */

/** The size of the chunks that a `getObject` body emits. */
const BODY_CHUNK_BYTES = 64 * 1024;

/** A response body: the bytes in chunks, destroyed as the SDK's is when the signal fires. */
function bodyStream(data: Buffer, signal: AbortSignal | undefined): Readable {
  let offset = 0;
  const body = new Readable({
    read() {
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      const end = Math.min(offset + BODY_CHUNK_BYTES, data.length);
      this.push(data.subarray(offset, end));
      offset = end;
    },
  });
  if (signal) {
    const abort = () => {
      body.destroy(bodyAbortedError());
    };
    signal.addEventListener('abort', abort, { once: true });
    body.once('close', () => {
      signal.removeEventListener('abort', abort);
    });
  }
  return body;
}

/** Reads an object (or a byte range of it) as a stream, with its metadata. @internal */
export async function getObject(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
  options: GetObjectOptions,
): Promise<GetObjectResult> {
  const operation = 'getObject' as const;
  assertValidObjectAddress(bucket, key, operation);
  const context = { operation, bucket, key };
  const range = options.range === undefined ? undefined : toRangeHeader(options.range, context);
  return backend.connection.run(context, () => {
    if (options.signal?.aborted) throw sdkAbortError();
    const object = backend.requireObject(bucket, key);
    requireCustomerKey(object, options.customerKey);
    const size = object.data.length;
    let data = object.data;
    let contentRange: string | undefined;
    if (range !== undefined) {
      const selected = resolveRange(range, size);
      if (selected === undefined) throw s3Error('InvalidRange', 416);
      if (selected) {
        data = data.subarray(selected.start, selected.end + 1);
        contentRange = `bytes ${selected.start}-${selected.end}/${size}`;
      }
    }
    return {
      body: bodyStream(data, options.signal),
      contentType: object.contentType,
      contentLength: data.length,
      contentRange,
      size,
      etag: object.etag,
      lastModified: toSecond(object.lastModified),
      metadata: { ...object.metadata },
      ...attributesOf(object),
    };
  });
}

/**
 * A `HeadObject` answer. It has no body, so a 404 does not say what is missing: the real
 * service then asks about the bucket, and reports a missing one in its own words.
 * @internal
 */
export function headObject(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
  customerKey?: Uint8Array,
): BucketFileInfo {
  if (!backend.store.hasBucket(bucket))
    throw Object.assign(new Error('The specified bucket does not exist'), {
      name: 'NoSuchBucket',
    });
  const object = backend.store.getObject(bucket, key);
  if (!object) throw s3Error('NotFound', 404);
  requireCustomerKey(object, customerKey);
  return fileInfoOf(object);
}

/** `getBucketFile` and `fileExists`: what the real ones do with `HeadObject`. @internal */
export async function describeObject(
  backend: InMemoryBackend,
  operation: 'getBucketFile' | 'fileExists',
  bucket: string,
  key: string,
  options: CustomerKeyOption,
): Promise<BucketFileInfo> {
  assertValidObjectAddress(bucket, key, operation);
  assertReadKey(options, { operation, bucket, key });
  return backend.connection.run({ operation, bucket, key }, () =>
    headObject(backend, bucket, key, options.customerKey),
  );
}

/** Whether an object exists; a missing bucket still rejects. @internal */
export async function fileExists(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
  options: CustomerKeyOption,
): Promise<boolean> {
  try {
    await describeObject(backend, 'fileExists', bucket, key, options);
    return true;
  } catch (error) {
    if (error instanceof BucketError && error.code === 'NoSuchKey') return false;
    throw error;
  }
}

/** Deletes an object. Deleting a key that does not exist succeeds, as in S3. @internal */
export async function deleteFile(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
): Promise<void> {
  assertValidObjectAddress(bucket, key, 'deleteFile');
  await backend.connection.run({ operation: 'deleteFile', bucket, key }, () => {
    if (!backend.store.deleteObject(bucket, key)) throw s3Error('NoSuchBucket', 404);
  });
}

/**
 * Deletes many objects. Every key is checked before anything is deleted; repeated keys count
 * once, and keys that do not exist count as deleted, as in S3.
 * @internal
 */
export async function deleteFiles(
  backend: InMemoryBackend,
  bucket: string,
  keys: readonly string[],
  options: { signal?: AbortSignal },
): Promise<DeleteFilesResult> {
  const operation = 'deleteFiles';
  assertValidBucketName(bucket, operation);
  for (const key of keys) assertValidKey(key, operation, bucket);
  if (keys.length === 0) return { deleted: [], failed: [] };
  return backend.connection.run({ operation, bucket }, () => {
    if (options.signal?.aborted) throw sdkAbortError();
    backend.requireBucket(bucket);
    const unique = [...new Set(keys)];
    for (const key of unique) backend.store.deleteObject(bucket, key);
    return { deleted: unique, failed: [] };
  });
}
