import {
  Global,
  Module,
  RequestMethod,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { json } from 'express';
import { BrowserUploadsModule, getBucketServiceToken } from 'nest-bucket';
import { isAuthenticated } from '../auth/authenticated-requests';
import { DIRECT_UPLOADS_BUCKET_LABEL, DirectUploadStorage } from './direct-upload-storage';
import { DirectUploadsController } from './direct-uploads.controller';
import { UploadsBucket } from './uploads-bucket';

/**
 * The name under which {@link DirectUploadStorage} is provided as a `BucketModule` instance, for
 * `BrowserUploadsModule`'s `instance` option.
 */
export const DIRECT_UPLOADS_INSTANCE = 'demo-direct-uploads';

/** The route prefix of Uppy's protocol: the page gives Uppy its own origin as `endpoint`. */
const UPPY_PATH = 's3';

/**
 * The page's direct uploads: browser → storage, with Uppy's `@uppy/aws-s3` plugin, through the
 * library's `BrowserUploadsModule` (`/s3/...`), into the uploads bucket (`DEMO_UPLOADS_BUCKET`,
 * see {@link UploadsBucket}). Every request needs the demo's bearer token, and keys are the
 * library's default, `uploads/<UUID><extension>`. Also `GET /direct-uploads/settings` and the
 * downloads, `GET /direct-uploads/files/<key>`.
 *
 * Global, because `BrowserUploadsModule` finds its storage by a token that must be visible from
 * inside it.
 */
@Global()
@Module({
  imports: [
    BrowserUploadsModule.forRoot({
      bucket: DIRECT_UPLOADS_BUCKET_LABEL,
      instance: DIRECT_UPLOADS_INSTANCE,
      path: UPPY_PATH,
      authorize: (request, action) => isAuthenticated(request) && action.key.startsWith('uploads/'),
    }),
  ],
  controllers: [DirectUploadsController],
  providers: [
    UploadsBucket,
    DirectUploadStorage,
    { provide: getBucketServiceToken(DIRECT_UPLOADS_INSTANCE), useExisting: DirectUploadStorage },
  ],
  exports: [getBucketServiceToken(DIRECT_UPLOADS_INSTANCE), UploadsBucket],
})
export class DirectUploadsModule implements NestModule {
  /**
   * The demo reads no body by default (`bodyParser: false`: uploads stream through); Uppy's
   * protocol sends small JSON bodies, read here for its POST routes only.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(json({ limit: '1mb' }))
      .forRoutes({ path: `${UPPY_PATH}/*path`, method: RequestMethod.POST });
  }
}
