import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { getBucketServiceToken } from '../bucket.tokens';
import { createBrowserUploadsController, randomUploadKey } from './browser-uploads.controller';
import {
  BROWSER_UPLOADS_OPTIONS,
  BROWSER_UPLOADS_STORAGE,
  type BrowserUploadOptionsResolved,
  type BrowserUploadsAsyncOptions,
  type BrowserUploadsFactoryOptions,
  type BrowserUploadsOptions,
  type BrowserUploadStorage,
} from './browser-uploads.options';

/**
 * Mounts the endpoints that Uppy's S3 plugin (`@uppy/aws-s3`, with `endpoint` set to the app)
 * calls for direct browser uploads: presigned POSTs for single files (`GET /s3/params`) and
 * multipart uploads whose parts go straight to storage (`POST /s3/multipart`, part URLs one at a
 * time or in a batch, list, complete, `DELETE` to abort). Every request goes through
 * `authorize` first. Needs a global `BucketModule` (`isGlobal: true`; its default instance, or
 * the one named `instance`).
 *
 * ```ts
 * BrowserUploadsModule.forRoot({
 *   bucket: 'uploads',
 *   authorize: (req, action) => isSignedIn(req) && action.key.startsWith('uploads/'),
 *   maxFileSize: 1024 ** 3,
 * })
 * ```
 */
@Module({})
export class BrowserUploadsModule {
  /** The module with its controller under `options.path` (default `s3`). */
  static forRoot(options: BrowserUploadsOptions): DynamicModule {
    return {
      module: BrowserUploadsModule,
      controllers: [createBrowserUploadsController(options.path ?? 's3')],
      providers: [
        { provide: BROWSER_UPLOADS_OPTIONS, useValue: withDefaults(options) },
        storageProvider(options.instance),
      ],
    };
  }

  /**
   * The module with options from a factory, resolved once at boot (for example the bucket and
   * the size limit from `ConfigService`); the route and the instance are given as they are.
   */
  static forRootAsync(options: BrowserUploadsAsyncOptions): DynamicModule {
    return {
      module: BrowserUploadsModule,
      imports: options.imports ?? [],
      controllers: [createBrowserUploadsController(options.path ?? 's3')],
      providers: [
        {
          provide: BROWSER_UPLOADS_OPTIONS,
          useFactory: async (...args: never[]) => withDefaults(await options.useFactory(...args)),
          inject: options.inject ?? [],
        },
        storageProvider(options.instance),
      ],
    };
  }
}

/** The options with their defaults. */
function withDefaults(options: BrowserUploadsFactoryOptions): BrowserUploadOptionsResolved {
  return {
    ...options,
    key: options.key ?? randomUploadKey,
    maxFileSize: options.maxFileSize ?? Number.POSITIVE_INFINITY,
    expiresIn: options.expiresIn ?? 900,
  };
}

/** The service of the `BucketModule` instance the controller uses. */
function storageProvider(instance: string | undefined): Provider {
  return {
    provide: BROWSER_UPLOADS_STORAGE,
    useFactory: (storage: BrowserUploadStorage) => storage,
    inject: [getBucketServiceToken(instance)],
  };
}
