import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import type { BucketService } from '../bucket.service';

/** What a browser asks for, as `authorize` sees it. */
export type BrowserUploadAction =
  | {
      /** A new single upload: a presigned POST (Uppy's `getUploadParameters`). */
      kind: 'params';
      /** The key chosen by the `key` option. */
      key: string;
      /** The file's name on the user's computer. */
      filename: string;
      /** The MIME type the browser declared. */
      type: string;
    }
  | {
      /** A new multipart upload (Uppy's `createMultipartUpload`). */
      kind: 'create';
      /** The key chosen by the `key` option. */
      key: string;
      /** The file's name on the user's computer. */
      filename: string;
      /** The MIME type the browser declared. */
      type: string;
    }
  | {
      /** URLs for parts of a multipart upload (Uppy's `signPart`, `prepareUploadParts`). */
      kind: 'sign';
      /** The upload's key, as the browser sends it back. */
      key: string;
      /** The multipart upload's id. */
      uploadId: string;
      /** The parts to sign, from 1 to 10,000. */
      partNumbers: number[];
    }
  | {
      /** The parts uploaded so far, to resume (Uppy's `listParts`). */
      kind: 'list';
      /** The upload's key, as the browser sends it back. */
      key: string;
      /** The multipart upload's id. */
      uploadId: string;
    }
  | {
      /** Assembling the parts into the object (Uppy's `completeMultipartUpload`). */
      kind: 'complete';
      /** The upload's key, as the browser sends it back. */
      key: string;
      /** The multipart upload's id. */
      uploadId: string;
    }
  | {
      /** Cancelling the upload and its parts (Uppy's `abortMultipartUpload`). */
      kind: 'abort';
      /** The upload's key, as the browser sends it back. */
      key: string;
      /** The multipart upload's id. */
      uploadId: string;
    };

/** The file a browser announces when it begins an upload. */
export interface AnnouncedFile {
  /** The file's name on the user's computer (never trusted as a key by default). */
  filename: string;
  /** The MIME type the browser declared. */
  type: string;
  /** Uppy's allowed metadata fields, as strings. */
  metadata: Record<string, string>;
}

/** Options of `BrowserUploadsModule.forRoot`. */
export interface BrowserUploadsOptions {
  /** The bucket uploads go to. */
  bucket: string;
  /**
   * Decides every request before anything is signed or sent to storage: return `false` (or
   * throw an `HttpException`) to refuse it with 403. It sees the request (your guard's user, a
   * token) and what is asked, with the key, so that it can keep each user under their own
   * prefix. Required: uploads are never open to anyone by default.
   */
  authorize: (request: unknown, action: BrowserUploadAction) => boolean | Promise<boolean>;
  /**
   * The key of a new upload. Default: `uploads/<random UUID><the file's extension>`, so that no
   * name a user chose reaches the key.
   */
  key?: (request: unknown, file: AnnouncedFile) => string | Promise<string>;
  /**
   * The largest file accepted, in bytes: a presigned POST's policy carries it (the server refuses
   * more), and a multipart upload whose parts add up to more is aborted at completion (413).
   * Default: 5 GiB for a single upload, no limit for multipart ones.
   */
  maxFileSize?: number;
  /** Seconds each signed URL stays valid, from 1 to 604,800. Default: 900. */
  expiresIn?: number;
  /** The route prefix. Default: `s3` (Uppy's `endpoint` is then the app's URL). */
  path?: string;
  /** The named `BucketModule` instance to use. Default: the default instance. */
  instance?: string;
}

/** What the controller needs of a service: the real one or the in-memory fake. */
export type BrowserUploadStorage = Pick<
  BucketService,
  | 'createMultipartUpload'
  | 'signUploadPart'
  | 'signUploadParts'
  | 'listUploadParts'
  | 'completeMultipartUpload'
  | 'abortMultipartUpload'
  | 'createPresignedPost'
>;

/** The injection token of the options. @internal */
export const BROWSER_UPLOADS_OPTIONS = 'BUCKET:BROWSER_UPLOADS_OPTIONS';

/** The injection token of the storage the controller uses. @internal */
export const BROWSER_UPLOADS_STORAGE = 'BUCKET:BROWSER_UPLOADS_STORAGE';

/** The options with their defaults. @internal */
export interface BrowserUploadOptionsResolved extends BrowserUploadsOptions {
  key: NonNullable<BrowserUploadsOptions['key']>;
  maxFileSize: number;
  expiresIn: number;
}

/** What `forRootAsync`'s factory gives: the options, but the route and the instance. */
export type BrowserUploadsFactoryOptions = Omit<BrowserUploadsOptions, 'path' | 'instance'>;

/**
 * Options of `BrowserUploadsModule.forRootAsync`: the options from a factory (for example from
 * `ConfigService`), with the route prefix and the `BucketModule` instance, which Nest needs before
 * any provider exists, given as they are.
 */
export interface BrowserUploadsAsyncOptions {
  /** Modules whose providers the factory injects. */
  imports?: ModuleMetadata['imports'];
  /** The providers the factory takes, in order. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Builds the options (bucket, authorize, key, maxFileSize, expiresIn). */
  useFactory: (
    ...args: never[]
  ) => BrowserUploadsFactoryOptions | Promise<BrowserUploadsFactoryOptions>;
  /** The route prefix. Default: `s3`. */
  path?: string;
  /** The named `BucketModule` instance to use. Default: the default instance. */
  instance?: string;
}
