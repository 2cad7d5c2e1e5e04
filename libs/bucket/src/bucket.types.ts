import type { Readable } from 'node:stream';
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

/** Options of `uploadFile`. */
export interface UploadFileOptions {
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
export interface DownloadFileOptions {
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
export interface PutObjectOptions {
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
