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
  /** The `Cache-Control` stored with the object, if any. */
  cacheControl?: string;
  /** The `Content-Disposition` stored with the object, if any. */
  contentDisposition?: string;
  /** The `Content-Encoding` stored with the object, if any. */
  contentEncoding?: string;
  /** The `Content-Language` stored with the object, if any. */
  contentLanguage?: string;
  /** How the server encrypts the object at rest, when it says: `SSE-S3`, `SSE-KMS` (with the key id) or `SSE-C`. */
  encryption?: StoredEncryption;
}

/**
 * Server-side encryption of an object at rest: `SSE-S3` (keys the server manages), `SSE-KMS` (a
 * key of the server's key management service, by id; without one, the server's default key), or
 * `SSE-C` (a 256-bit key that the caller keeps: the server stores only its MD5, and every read,
 * HEAD and copy of the object must give it again, as `customerKey`).
 */
export type ServerSideEncryption =
  | {
      /** Keys the server manages (`AES256`). */
      type: 'SSE-S3';
    }
  | {
      /** A key of the server's key management service. */
      type: 'SSE-KMS';
      /** The KMS key's id or ARN. Default: the server's default key. */
      keyId?: string;
    }
  | {
      /** A key that the caller keeps. */
      type: 'SSE-C';
      /** The 32-byte (AES-256) key. Never logged nor recorded. */
      key: Uint8Array;
    };

/** How the server says an object is encrypted: as `ServerSideEncryption`, without an SSE-C key. */
export type StoredEncryption =
  | {
      /** Keys the server manages (`AES256`). */
      type: 'SSE-S3';
    }
  | {
      /** A key of the server's key management service. */
      type: 'SSE-KMS';
      /** The KMS key's id or ARN, as the server reports it. */
      keyId?: string;
    }
  | {
      /** A key that the caller keeps: reads must give it as `customerKey`. */
      type: 'SSE-C';
    };

/** The key of an object stored with SSE-C, for the operations that read it. */
export interface CustomerKeyOption {
  /** The 32-byte SSE-C key the object was stored with. Never logged nor recorded. */
  customerKey?: Uint8Array;
}

/** Whether a transfer checks its bytes with MD5, overriding the module's `verifyChecksums`. */
export interface ChecksumOption {
  /**
   * `false` skips the MD5 checks of this transfer (`Content-MD5` on uploads, the ETag check of
   * downloads) to save their CPU; lengths are still checked. Default: the module's
   * `verifyChecksums` (true).
   */
  verifyChecksums?: boolean;
}

/** HTTP headers stored with an object, and sent back with it on every read. */
export interface ObjectHeaders {
  /** `Cache-Control`, for example `public, max-age=31536000, immutable`. Printable ASCII. */
  cacheControl?: string;
  /**
   * `Content-Disposition`, for example `attachment; filename="report.pdf"`. Printable ASCII: give a
   * non-ASCII file name as `filename*=UTF-8''<percent-encoded>` (RFC 6266).
   */
  contentDisposition?: string;
  /** `Content-Encoding`, for bytes stored already encoded, for example `gzip`. */
  contentEncoding?: string;
  /** `Content-Language`, for example `fr-CA`. */
  contentLanguage?: string;
}

/** What an upload stores with the bytes, besides the Content-Type and the metadata. */
export interface UploadAttributes extends ObjectHeaders {
  /**
   * Object tags (S3 object tagging): at most 10, keys of 1 to 128 characters, values of at most
   * 256, letters, digits, spaces and `+ - = . _ : / @`. Stored with the object, also for
   * multipart uploads (set after completion where a server ignores them at creation, as Ceph
   * RGW 16 does).
   */
  tags?: Record<string, string>;
  /** Server-side encryption at rest. Default: the bucket's own default, if any. */
  encryption?: ServerSideEncryption;
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
export interface UploadFileOptions extends TransferOptions, UploadAttributes, ChecksumOption {
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
export interface DownloadFileOptions extends TransferOptions, CustomerKeyOption, ChecksumOption {
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
export interface PutObjectOptions extends TransferOptions, UploadAttributes, ChecksumOption {
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
export interface GetObjectOptions extends CustomerKeyOption, ChecksumOption {
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
  /** The `Cache-Control` stored with the object, if any. */
  cacheControl?: string;
  /** The `Content-Disposition` stored with the object, if any. */
  contentDisposition?: string;
  /** The `Content-Encoding` stored with the object, if any. */
  contentEncoding?: string;
  /** The `Content-Language` stored with the object, if any. */
  contentLanguage?: string;
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
  failed: {
    /** The key that was not deleted. */
    key: string;
    /** Why, as a {@link BucketError.code}, e.g. `AccessDenied`. */
    code: BucketErrorCode;
    /** The server's message. */
    message: string;
  }[];
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
export interface CopyFileOptions extends TransferOptions, ObjectHeaders {
  /**
   * Replace the metadata and content type instead of copying them from the source. Giving any of
   * `metadata`, `contentType`, `cacheControl`, `contentDisposition`, `contentEncoding` and
   * `contentLanguage` replaces them all, as S3's `MetadataDirective: REPLACE`: those not given are
   * then not copied.
   */
  metadata?: Record<string, string>;
  /** The new Content-Type (replaces the source's headers, see `metadata`). */
  contentType?: string;
  /** Replace the source's tags with these (see `UploadAttributes.tags`); else they are copied. */
  tags?: Record<string, string>;
  /** Encrypt the copy at rest this way. Default: the destination bucket's default. */
  encryption?: ServerSideEncryption;
  /** The SSE-C key of the source, when it was stored with one. */
  sourceCustomerKey?: Uint8Array;
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
  /**
   * For `PUT`: headers to store (`Cache-Control`, `Content-Disposition`, `Content-Encoding`,
   * `Content-Language`), tags (`x-amz-tagging`) and encryption (`x-amz-server-side-encryption`,
   * and the KMS key id): each one given is bound into the signature, and the uploader must send
   * it with exactly that value (`presignedPutHeaders` gives the list).
   */
  attributes?: UploadAttributes;
}

/**
 * Options of `createMultipartUpload`: what the object will be stored with once the parts that
 * a browser uploads are joined. Tags are not taken here (Ceph RGW ignores them on creation).
 */
export interface CreateMultipartUploadOptions extends Omit<UploadAttributes, 'tags'> {
  /** The Content-Type to store. Default: `application/octet-stream`. */
  contentType?: string;
  /** User metadata to store (`x-amz-meta-*`). */
  metadata?: Record<string, string>;
}

/** A multipart upload begun by `createMultipartUpload`. */
export interface MultipartUploadStarted {
  /** The bucket written to. */
  bucket: string;
  /** The key the object will have. */
  key: string;
  /** The server's id of the upload, for the part URLs, `completeMultipartUpload` and the abort. */
  uploadId: string;
}

/** Options of `signUploadPart` and `signUploadParts`. */
export interface SignUploadPartOptions {
  /** Seconds until each URL expires, from 1 to 604,800 (7 days). Default: 900. */
  expiresIn?: number;
}

/** A part that the server holds for an unfinished multipart upload (`listUploadParts`). */
export interface UploadedPart {
  /** The part's number, from 1 to 10,000. */
  partNumber: number;
  /** Its size in bytes. */
  size: number;
  /** Its entity tag, without quotes: what `completeMultipartUpload` needs. */
  etag: string;
}

/** A part named to `completeMultipartUpload`: its number and the ETag its upload answered. */
export interface CompletedUploadPart {
  /** The part's number, from 1 to 10,000. */
  partNumber: number;
  /** The ETag the part's upload answered (quotes allowed). */
  etag: string;
}
