import { lookup as lookupContentType } from 'mime-types';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { BUCKET_OPTION_DEFAULTS } from '../bucket.options';
import type {
  ObjectBody,
  PutObjectOptions,
  PutObjectResult,
  TransferProgress,
  UploadAttributes,
  UploadFileOptions,
  UploadFileResult,
} from '../bucket.types';
import { assertTransferOptions, assertValidObjectAddress } from '../bucket.validation';
import { checkSourceFile } from '../local-files';
import { assertUploadAttributes } from '../operations/object-attributes';
import { abortErrorOf, throwIfAborted } from '../transfers/abort';
import { withExactLength } from '../transfers/exact-length';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import { normaliseMetadata, storedAttributesOf } from './in-memory-bucket.object-attributes';
import { s3Error } from './in-memory-bucket.sdk-errors';
import type { StoredObject } from './in-memory-bucket.store';
import { etagOfUpload, isMultipart, type UploadShape } from './s3-etag';

/**
 * The uploads of the in-memory fake (`putObject`, `uploadFile`), stored with the ETag and the
 * progress reports of the real upload in one request or in parts (`transfers/upload.ts`,
 * `transfers/file-upload.ts`).
 * @internal
 */

/** Reads a `putObject` body into a new Buffer (never one the caller holds). */
async function readBody(body: ObjectBody, signal: AbortSignal | undefined): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (!(body instanceof Readable)) return Buffer.from(body);
  // As the real upload does, an abort destroys the body stream.
  const abort = () => {
    if (signal) body.destroy(abortErrorOf(signal));
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<unknown>) {
      chunks.push(
        typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array),
      );
    }
    return Buffer.concat(chunks);
  } catch (error) {
    if (signal?.aborted) throw abortErrorOf(signal);
    throw error;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

/** How the real service would send a body of this announced size with these options. */
function uploadShape(
  backend: InMemoryBackend,
  announcedBytes: number | undefined,
  options: { partSizeBytes?: number },
): UploadShape {
  return {
    announcedBytes,
    multipartThresholdBytes:
      backend.options.multipartThresholdBytes ?? BUCKET_OPTION_DEFAULTS.multipartThresholdBytes,
    partSizeBytes:
      options.partSizeBytes ??
      backend.options.partSizeBytes ??
      BUCKET_OPTION_DEFAULTS.partSizeBytes,
  };
}

/**
 * Stores bytes with the ETag the real server would give, and returns the ETag; also what a
 * presigned PUT or POST stores.
 * @internal
 */
export function writeObject(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
  data: Buffer,
  shape: UploadShape,
  contentType: string,
  metadata: Record<string, string> | undefined,
  attributes: Pick<StoredObject, 'headers' | 'tags' | 'encryption'> = {},
): string {
  const object: StoredObject = {
    key,
    data,
    etag: etagOfUpload(data, shape),
    contentType,
    metadata: normaliseMetadata(metadata),
    ...attributes,
    lastModified: backend.now(),
  };
  if (!backend.store.putObject(bucket, object)) throw s3Error('NoSuchBucket', 404);
  return object.etag;
}

/**
 * Stores an uploaded body as the real upload does, with the same progress reports: one request
 * reports once, when done; a multipart upload reports once a part, and an abort between two
 * parts leaves nothing stored.
 */
function storeUpload(
  backend: InMemoryBackend,
  target: { bucket: string; key: string; contentType: string },
  data: Buffer,
  shape: UploadShape,
  options: UploadAttributes & {
    metadata?: Record<string, string>;
    onProgress?: (p: TransferProgress) => void;
  },
  signal: AbortSignal,
): string {
  const { bucket, key, contentType } = target;
  const { onProgress, metadata } = options;
  const attributes = storedAttributesOf(options);
  const total = shape.announcedBytes;
  const write = () =>
    writeObject(backend, bucket, key, data, shape, contentType, metadata, attributes);
  if (isMultipart(data.length, shape)) {
    for (let loaded = shape.partSizeBytes; ; loaded += shape.partSizeBytes) {
      onProgress?.({ loaded: Math.min(loaded, data.length), total });
      if (loaded >= data.length) break;
      throwIfAborted(signal);
    }
    return write();
  }
  const etag = write();
  onProgress?.({ loaded: data.length, total });
  return etag;
}

/**
 * Stores a local file, read from disk. The key defaults (in the service) to the file's base
 * name; the content type is guessed from its extension, as the real service does.
 * @internal
 */
export async function uploadFile(
  backend: InMemoryBackend,
  bucket: string,
  filePath: string,
  key: string,
  options: UploadFileOptions,
): Promise<UploadFileResult> {
  const operation = 'uploadFile' as const;
  assertValidObjectAddress(bucket, key, operation);
  const context = { operation, bucket, key };
  assertTransferOptions(options, context);
  assertUploadAttributes(options, context);
  const size = await checkSourceFile(filePath, context);
  const contentType =
    options.contentType ?? (lookupContentType(filePath) || 'application/octet-stream');
  return backend.transfer(context, options.signal, (signal) =>
    backend.connection.run(context, async () => {
      throwIfAborted(signal);
      backend.requireBucket(bucket);
      const data = await readFile(filePath, { signal }).catch((error: unknown) => {
        throw signal.aborted ? abortErrorOf(signal) : error;
      });
      const shape = uploadShape(backend, size, options);
      const etag = storeUpload(backend, { bucket, key, contentType }, data, shape, options, signal);
      return { bucket, key, size, etag };
    }),
  );
}

/**
 * Stores an object from a Buffer, a string, a Uint8Array or a stream (read whole). The bytes are
 * copied: changing the caller's Buffer later does not change the object.
 * @internal
 */
export async function putObject(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
  body: ObjectBody,
  options: PutObjectOptions,
): Promise<PutObjectResult> {
  const operation = 'putObject' as const;
  assertValidObjectAddress(bucket, key, operation);
  const context = { operation, bucket, key };
  assertTransferOptions(options, context);
  assertUploadAttributes(options, context);
  const announced = body instanceof Readable ? options.contentLength : Buffer.byteLength(body);
  const etag = await backend.transfer(context, options.signal, (signal) =>
    backend.connection.run(context, async () => {
      throwIfAborted(signal);
      backend.requireBucket(bucket);
      // The same check as the real service: a stream must have exactly its contentLength.
      const checked =
        body instanceof Readable && announced !== undefined
          ? withExactLength(body, announced, context)
          : body;
      const data = await readBody(checked, signal);
      const shape = uploadShape(backend, announced, options);
      const contentType = options.contentType ?? 'application/octet-stream';
      return storeUpload(backend, { bucket, key, contentType }, data, shape, options, signal);
    }),
  );
  return { bucket, key, etag };
}
