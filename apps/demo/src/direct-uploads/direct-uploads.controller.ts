import { Controller, Get, Inject, Req, Res, type StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BucketService, serveObject } from 'nest-bucket';
import { DEMO_CONFIG, type DemoConfig } from '../demo.config';
import { ObjectKey } from '../files/object-key.decorator';
import { UploadsBucket } from './uploads-bucket';

/** What the page needs to know about direct uploads (`GET /direct-uploads/settings`). */
export interface DirectUploadSettings {
  /** The bucket they go to. */
  bucket: string;
  /** The largest file accepted, in bytes (`DEMO_MAX_UPLOAD_BYTES`). */
  maxFileSize: number;
}

/**
 * The page's side of the direct uploads that are not Uppy's protocol: their settings, and the
 * download of what was uploaded, served from the uploads bucket by the library's `serveObject`
 * (ranges, conditional requests, a `Content-Disposition` with the key's last segment).
 */
@Controller('direct-uploads')
export class DirectUploadsController {
  constructor(
    private readonly storage: BucketService,
    private readonly bucket: UploadsBucket,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  /** `GET /direct-uploads/settings`: {@link DirectUploadSettings}. */
  @Get('settings')
  settings(): DirectUploadSettings {
    return { bucket: this.bucket.name, maxFileSize: this.config.maxUploadBytes };
  }

  /** `GET /direct-uploads/files/<key>`: the object, as an attachment; 404 `NoSuchKey`. */
  @Get('files/*key')
  async download(
    @ObjectKey() key: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile | undefined> {
    const file = await serveObject(this.storage, this.bucket.name, key, request, response, {
      disposition: 'attachment',
    });
    // Stored objects are served as inert downloads, as the API's own GET does.
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    return file;
  }
}
