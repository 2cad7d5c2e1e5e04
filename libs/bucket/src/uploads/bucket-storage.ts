import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { BucketService } from '../bucket.service';

/** The file multer hands to a storage engine (a subset of `Express.Multer.File`). */
export interface IncomingMulterFile {
  /** The form field's name. */
  fieldname: string;
  /** The file's name on the user's computer, as the browser sent it. */
  originalname: string;
  /** The MIME type the browser declared. */
  mimetype: string;
  /** The file's bytes, as they arrive. */
  stream: Readable;
}

/** What the storage engine adds to `req.file` once the object is stored. */
export interface StoredMulterFile {
  /** The bucket the file went to. */
  bucket: string;
  /** Its key there. */
  key: string;
  /** The stored object's ETag, without quotes. */
  etag: string | undefined;
  /** Bytes stored. */
  size: number;
  /** The Content-Type stored. */
  contentType: string;
}

/** A value, or a function of the request and the file that gives it. */
export type PerFile<T> = T | ((request: unknown, file: IncomingMulterFile) => T | Promise<T>);

/** Options of {@link bucketStorage}. */
export interface BucketStorageOptions {
  /** The bucket, or a function of the request and the file that chooses it. */
  bucket: PerFile<string>;
  /**
   * The key, or a function that chooses it (for example from the authenticated user). Default:
   * a random UUID with the original file's extension, so that no user-given name reaches the key.
   */
  key?: PerFile<string>;
  /** The Content-Type to store. Default: the type the browser declared. */
  contentType?: PerFile<string>;
  /** User metadata to store. Default: none. */
  metadata?: PerFile<Record<string, string> | undefined>;
  /** Part size of the multipart upload. Default: the module's `partSizeBytes`. */
  partSizeBytes?: number;
  /** Parts in flight. Default: the module's `uploadConcurrency`. */
  concurrency?: number;
}

/** What {@link bucketStorage} needs of a service: the real one or the fake. */
export type UploadStorage = Pick<BucketService, 'putObject' | 'deleteFile'>;

/** The two methods multer calls on a storage engine (`multer.StorageEngine`). */
export interface BucketStorageEngine {
  /** Streams one uploaded file into the bucket, then calls back with where it was stored. */
  _handleFile(
    request: unknown,
    file: IncomingMulterFile,
    callback: (error?: unknown, info?: StoredMulterFile) => void,
  ): void;
  /** Deletes a file stored by `_handleFile`, when multer drops the request's files on an error. */
  _removeFile(
    request: unknown,
    file: IncomingMulterFile & Partial<StoredMulterFile>,
    callback: (error: Error | null) => void,
  ): void;
}

/** Raised into the upload when multer's `limits.fileSize` cut the file short. */
class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
}

/**
 * A multer storage engine that streams each uploaded file into a bucket, the convention that
 * `multer-s3` serves: `@UseInterceptors(FileInterceptor('file', { storage: bucketStorage(bucket,
 * { bucket: 'uploads' }), limits: { fileSize: 10 * 1024 * 1024 } }))`. The bytes go from the
 * request to storage through `putObject` (a multipart upload above `multipartThresholdBytes`),
 * never to disk or whole into memory. A file that passes `limits.fileSize` is not stored: the
 * upload is stopped before it completes (its multipart upload aborted) and multer answers
 * `LIMIT_FILE_SIZE` (413 in Nest). When multer removes the files of a failed request, their
 * objects are deleted.
 */
export function bucketStorage(
  storage: UploadStorage,
  options: BucketStorageOptions,
): BucketStorageEngine {
  return {
    _handleFile(request, file, callback) {
      // Listening at once: busboy may report the limit before the key is chosen.
      const body = new ByteCounter();
      // Destroyed before putObject reads it, it must not crash the process: store() reports it.
      body.on('error', () => undefined);
      file.stream.once('limit', () => {
        body.destroy(new FileTooLargeError(`${file.originalname} is larger than the size limit`));
      });
      file.stream.once('error', (error: Error) => {
        body.destroy(error);
      });
      store(storage, options, request, file, body).then(
        (info) => {
          callback(undefined, info);
        },
        (error: unknown) => {
          callback(error);
        },
      );
    },
    _removeFile(_request, file, callback) {
      const { bucket, key } = file;
      if (bucket === undefined || key === undefined) {
        callback(null);
        return;
      }
      storage.deleteFile(bucket, key).then(
        () => {
          callback(null);
        },
        (error: unknown) => {
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
  };
}

async function store(
  storage: UploadStorage,
  options: BucketStorageOptions,
  request: unknown,
  file: IncomingMulterFile & Partial<StoredMulterFile>,
  counted: ByteCounter,
): Promise<StoredMulterFile> {
  const bucket = await resolve(options.bucket, request, file);
  const key =
    options.key === undefined
      ? `${randomUUID()}${extname(file.originalname).toLowerCase()}`
      : await resolve(options.key, request, file);
  const contentType =
    (options.contentType === undefined
      ? undefined
      : await resolve(options.contentType, request, file)) ?? file.mimetype;
  const metadata =
    options.metadata === undefined ? undefined : await resolve(options.metadata, request, file);
  // Known to _removeFile even if the upload fails.
  Object.assign(file, { bucket, key });
  if (counted.destroyed) throw counted.errored ?? new FileTooLargeError(file.originalname);
  file.stream.pipe(counted);
  const { etag } = await storage.putObject(bucket, key, counted, {
    contentType,
    metadata,
    partSizeBytes: options.partSizeBytes,
    concurrency: options.concurrency,
  });
  return { bucket, key, etag, size: counted.bytes, contentType };
}

async function resolve<T>(
  value: PerFile<T>,
  request: unknown,
  file: IncomingMulterFile,
): Promise<T> {
  return typeof value === 'function'
    ? await (value as (request: unknown, file: IncomingMulterFile) => T | Promise<T>)(request, file)
    : value;
}

/** Passes bytes through and counts them. */
class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}
