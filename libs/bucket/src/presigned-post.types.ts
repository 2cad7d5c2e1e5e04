import type { UploadAttributes } from './bucket.types';

/**
 * Options of `createPresignedPost`: what the POST policy lets a browser upload. Every field is
 * checked by the server (Ceph RGW, AWS and MinIO enforce POST policies); give exactly one of
 * `key` and `keyPrefix`.
 */
export interface PresignedPostOptions {
  /** The exact key the upload is stored under. */
  key?: string;
  /**
   * Or a prefix: the form's `key` field is `<prefix>${filename}`, which the server replaces with the
   * uploaded file's name, and any key that starts with the prefix is accepted.
   */
  keyPrefix?: string;
  /** The smallest and largest body, in bytes, from 0 to 5 GiB. Default: no bound but the server's. */
  contentLengthRange?: {
    /** The smallest body accepted. Default: 0. */
    min?: number;
    /** The largest body accepted. */
    max: number;
  };
  /** The exact Content-Type the uploader must send (in the form's `Content-Type` field). */
  contentType?: string;
  /** Or a prefix that the Content-Type must start with, e.g. `image/`. */
  contentTypePrefix?: string;
  /** User metadata stored with the object; the uploader cannot change it. */
  metadata?: Record<string, string>;
  /**
   * Headers (`Cache-Control`, `Content-Disposition`, `Content-Encoding`), tags and encryption to
   * store, as form fields the policy fixes (the uploader cannot change them). `contentLanguage` is
   * refused: POST Object has no field for it.
   */
  attributes?: UploadAttributes;
  /** Seconds until the policy expires, from 1 to 604,800 (7 days). Default: 900. */
  expiresIn?: number;
}

/** A presigned POST: the form a browser sends to `url`, the file last. */
export interface PresignedPost {
  /** Where to POST the form (the bucket's URL). */
  url: string;
  /**
   * The form fields to send before the file, in any order (`key`, `Policy`, `X-Amz-*`, and the
   * bound `Content-Type` and `x-amz-meta-*`). With `contentTypePrefix`, add a `Content-Type` field.
   */
  fields: Record<string, string>;
  /** When the policy expires. */
  expiresAt: Date;
}
