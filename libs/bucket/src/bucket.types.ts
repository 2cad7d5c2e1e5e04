import type { Readable } from 'node:stream';
import type { BucketErrorCode } from './bucket.errors';
import type { ByteRange } from './bucket.validation';

/** What `getBucketFile` returns: an object's key and metadata, from a `HeadObject`. */
export interface BucketFileInfo {
  /** The object's key. */
  key: string;
  /** The size in bytes. */
  size: number;
  /** When the object was last written. */
  lastModified: Date;
  /** The entity tag, without quotes: an MD5 for a single-part upload, `md5-N` for multipart. */
  etag: string;
  /** The Content-Type stored with the object. */
  contentType?: string;
  /** The user metadata (`x-amz-meta-*`), with lowercase names. */
  metadata: Record<string, string>;
}

/** Progress of a transfer, reported through `onProgress`. */
export interface TransferProgress {
  /** Bytes transferred so far; only grows. */
  loaded: number;
  /** The total size in bytes, when known. */
  total?: number;
}

/** Tuning and progress, common to the transfers that may go in parts. */
export interface TransferOptions {
  /** Called as bytes are transferred; the last call has `loaded === total`. */
  onProgress?: (progress: TransferProgress) => void;
  /** Part size in bytes, at least 5 MiB. Default: the module's `partSizeBytes` (8 MiB). */
  partSizeBytes?: number;
  /** Parts in flight at once. Default: the module's `uploadConcurrency` or `downloadConcurrency`. */
  concurrency?: number;
}

/** Options of `uploadFile`. */
export interface UploadFileOptions extends TransferOptions {
  /** The Content-Type to store. Default: guessed from the file's extension, else `application/octet-stream`. */
  contentType?: string;
  /** User metadata to store (`x-amz-meta-*`). */
  metadata?: Record<string, string>;
  /** Aborts the upload; a multipart upload is then aborted on the server too. */
  signal?: AbortSignal;
}

/** What `uploadFile` returns. */
export interface UploadFileResult {
  /** The bucket written to. */
  bucket: string;
  /** The key written. */
  key: string;
  /** The number of bytes uploaded. */
  size: number;
  /** The entity tag, without quotes, when the server returned one. */
  etag?: string;
}

/** Options of `downloadFile`. */
export interface DownloadFileOptions extends TransferOptions {
  /** Aborts the download; nothing is left at the destination. */
  signal?: AbortSignal;
}

/** What `downloadFile` returns. */
export interface DownloadFileResult {
  /** The bucket read from. */
  bucket: string;
  /** The key read. */
  key: string;
  /** The file written. */
  path: string;
  /** The number of bytes written. */
  size: number;
}

/** A body that `putObject` accepts. A `Readable` is streamed; its length may be unknown. */
export type ObjectBody = Buffer | Uint8Array | string | Readable;

/** Options of `putObject`. */
export interface PutObjectOptions extends TransferOptions {
  /** The Content-Type to store. Default: `application/octet-stream`. */
  contentType?: string;
  /** User metadata to store (`x-amz-meta-*`). */
  metadata?: Record<string, string>;
  /** The body's length, when it is a stream of known length: it is then sent in one request when small enough. */
  contentLength?: number;
  /** Aborts the upload; a multipart upload is then aborted on the server too. */
  signal?: AbortSignal;
}

/** What `putObject` returns. */
export interface PutObjectResult {
  /** The bucket written to. */
  bucket: string;
  /** The key written. */
  key: string;
  /** The entity tag, without quotes, when the server returned one. */
  etag?: string;
}

/** Options of `getObject`. */
export interface GetObjectOptions {
  /** Only these bytes: `{ start, end }` (inclusive) or an HTTP Range value such as `bytes=0-99`. */
  range?: ByteRange | string;
  /** Aborts the request and the body stream. */
  signal?: AbortSignal;
}

/** What `getObject` returns. Consume or destroy `body`: an unread body holds a socket. */
export interface GetObjectResult {
  /** The object's bytes (or the requested range), as a stream. */
  body: Readable;
  /** The Content-Type stored with the object. */
  contentType?: string;
  /** The number of bytes in `body`. */
  contentLength: number;
  /** For a range request, the `Content-Range` (`bytes 0-99/1234`). */
  contentRange?: string;
  /** The whole object's size in bytes. */
  size: number;
  /** The entity tag, without quotes. */
  etag: string;
  /** When the object was last written. */
  lastModified: Date;
  /** The user metadata, with lowercase names. */
  metadata: Record<string, string>;
}

/** One object of a listing. */
export interface ListedFile {
  /** The object's key. */
  key: string;
  /** The size in bytes. */
  size: number;
  /** When the object was last written. */
  lastModified: Date;
  /** The entity tag, without quotes. */
  etag: string;
}

/** Options of `listFiles`. */
export interface ListFilesOptions {
  /** Only keys that begin with this. */
  prefix?: string;
  /**
   * Group keys by this character (usually `/`): keys that contain it after the prefix are not
   * listed (see `listFolders` for the groups).
   */
  delimiter?: string;
  /** Keys per request, from 1 to 1,000. Default: 1,000. */
  pageSize?: number;
}

/** What `deleteFiles` returns. */
export interface DeleteFilesResult {
  /** Keys deleted (or that did not exist, as S3 counts them). */
  deleted: string[];
  /** Keys the server refused, each with the code and the server's message. */
  failed: { key: string; code: BucketErrorCode; message: string }[];
}

/** Options of `deleteBucket`. */
export interface DeleteBucketOptions {
  /** Delete every object and abort every unfinished multipart upload first. Default: `false`. */
  force?: boolean;
}

/**
 * Options of `copyFile` and `moveFile`. Above the module's `multipartCopyThresholdBytes` (5 GiB)
 * the copy goes in parts (`partSizeBytes`, grown to fit 10,000 parts; `concurrency` at once,
 * default `uploadConcurrency`), with progress and abort; below, one `CopyObject`, whose
 * `onProgress` is called once at the end.
 */
export interface CopyFileOptions extends TransferOptions {
  /**
   * Replace the metadata and content type instead of copying them from the source. The other
   * headers (Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires) are
   * then not copied either, as with S3's `MetadataDirective: REPLACE`.
   */
  metadata?: Record<string, string>;
  /** With `metadata`: the new Content-Type. */
  contentType?: string;
  /** Aborts the copy; a copy in parts is then aborted on the server too. */
  signal?: AbortSignal;
  /** For this call: objects larger than this are copied in parts. Default: the module's `multipartCopyThresholdBytes`. */
  multipartThresholdBytes?: number;
}

/** Options of `getPresignedUrl`. */
export interface PresignedUrlOptions {
  /** `GET` to download, `PUT` to upload. Default: `GET`. */
  method?: 'GET' | 'PUT';
  /** Seconds until the URL expires, from 1 to 604,800 (7 days). Default: 900. */
  expiresIn?: number;
  /**
   * For `PUT`: the Content-Type the uploader must send, bound into the signature: the server
   * refuses (403) an upload without it or with another one. Without it, the uploader chooses.
   */
  contentType?: string;
  /**
   * For `PUT`: the exact size in bytes of the upload, from 0 to 5 GiB, bound into the signature
   * (its `Content-Length`): the server refuses a body of another size. For a range of sizes, use
   * `createPresignedPost`'s `contentLengthRange`.
   */
  contentLength?: number;
  /**
   * For `PUT`: user metadata the uploader must send as `x-amz-meta-<name>` headers with exactly
   * these values (names are lowercased), bound into the signature.
   */
  metadata?: Record<string, string>;
}
