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
