import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  Head,
  Headers,
  HttpCode,
  HttpStatus,
  Logger,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { BucketError, BucketService, type GetObjectResult, type ListedFile } from 'nest-bucket';
import { setInfoHeaders, setObjectHeaders, toMetadataView } from './object-headers';
import { ObjectKey } from './object-key.decorator';
import { ObjectUploader, type StoredObject } from './object-uploader';

/** `/buckets/a/files/dir/é t.txt`: the URL of an object, each key segment percent-encoded. */
function objectUrl(bucket: string, key: string): string {
  return `/buckets/${encodeURIComponent(bucket)}/files/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Objects in a bucket. Keys are everything after `files/`, so they may contain `/`; each segment
 * is percent-decoded (see {@link ObjectKey}). Uploads and downloads are streamed end to end.
 * Mutating routes need the bearer token (see `BearerTokenGuard`).
 */
@Controller('buckets/:bucket')
export class FilesController {
  private readonly logger = new Logger(FilesController.name);

  constructor(
    private readonly storage: BucketService,
    private readonly uploader: ObjectUploader,
  ) {}

  /** `GET /buckets/:bucket/files?prefix=`: `{ bucket, prefix, files: [{ key, size, lastModified, etag }] }`. */
  @Get('files')
  async list(
    @Param('bucket') bucket: string,
    @Query('prefix') prefix: unknown,
  ): Promise<{ bucket: string; prefix: string; files: ListedFile[] }> {
    if (prefix !== undefined && typeof prefix !== 'string') {
      throw new BadRequestException('Give the prefix query parameter at most once.');
    }
    const files: ListedFile[] = [];
    for await (const file of this.storage.listFiles(bucket, { prefix })) files.push(file);
    return { bucket, prefix: prefix ?? '', files };
  }

  /**
   * `PUT /buckets/:bucket/files/<key>`: stores the raw body, streamed, with its Content-Type.
   * 201 `{ bucket, key, size, etag, contentType }`; 413 over `DEMO_MAX_UPLOAD_BYTES`.
   */
  @Put('files/*key')
  @HttpCode(HttpStatus.CREATED)
  async put(
    @Param('bucket') bucket: string,
    @ObjectKey() key: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StoredObject> {
    const stored = await this.uploader.putRaw(bucket, key, request);
    response.location(objectUrl(bucket, key));
    return stored;
  }

  /**
   * `POST /buckets/:bucket/files[/<key>]`: stores the `file` part of a multipart form, streamed,
   * with the part's Content-Type. The key is the URL's, else the form's `key` field (sent before
   * the file), else the file name.
   */
  @Post(['files', 'files/*key'])
  @HttpCode(HttpStatus.CREATED)
  async post(
    @Param('bucket') bucket: string,
    @ObjectKey() key: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StoredObject> {
    const stored = await this.uploader.postMultipart(bucket, key || undefined, request);
    response.location(objectUrl(bucket, stored.key));
    return stored;
  }

  /** `HEAD /buckets/:bucket/files/<key>`: the headers of a GET, no body. Declared before GET, which Express would otherwise pick. */
  @Head('files/*key')
  async head(
    @Param('bucket') bucket: string,
    @ObjectKey() key: string,
    @Res() response: Response,
  ): Promise<void> {
    setInfoHeaders(response, await this.storage.getBucketFile(bucket, key));
    response.status(HttpStatus.OK).end();
  }

  /**
   * `GET /buckets/:bucket/files/<key>`: streams the object, with Content-Type, Content-Length,
   * ETag, Last-Modified and Accept-Ranges. `Range: bytes=a-b` gives 206 with Content-Range; a
   * malformed, multiple or unsatisfiable range gives 416 `InvalidRange`. If the client goes away,
   * the storage request and its stream are destroyed.
   */
  @Get('files/*key')
  async download(
    @Param('bucket') bucket: string,
    @ObjectKey() key: string,
    @Headers('range') range: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const abort = new AbortController();
    const onClose = () => {
      abort.abort();
    };
    response.once('close', onClose);
    try {
      let object: GetObjectResult;
      try {
        object = await this.storage.getObject(bucket, key, {
          range: range === '' ? undefined : range,
          signal: abort.signal,
        });
      } catch (error) {
        if (error instanceof BucketError && error.code === 'InvalidRange') {
          await this.setUnsatisfiedRange(response, bucket, key);
        }
        throw error;
      }
      setObjectHeaders(response, object);
      response.status(object.contentRange ? HttpStatus.PARTIAL_CONTENT : HttpStatus.OK);
      try {
        // pipeline() destroys the storage stream if the response closes first.
        await pipeline(object.body, response);
      } catch (error) {
        const reason = abort.signal.aborted ? 'the client went away' : String(error);
        this.logger.debug(`download of ${JSON.stringify(key)} in ${bucket} stopped: ${reason}`);
      }
    } finally {
      response.off('close', onClose);
    }
  }

  /** `GET /buckets/:bucket/metadata/<key>`: `{ bucket, key, size, lastModified, etag, contentType, metadata }`. */
  @Get('metadata/*key')
  async metadata(@Param('bucket') bucket: string, @ObjectKey() key: string) {
    return toMetadataView(bucket, await this.storage.getBucketFile(bucket, key));
  }

  /** `DELETE /buckets/:bucket/files/<key>`: 204, also for a key that does not exist (as S3). */
  @Delete('files/*key')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('bucket') bucket: string, @ObjectKey() key: string): Promise<void> {
    await this.storage.deleteFile(bucket, key);
  }

  /** RFC 9110 §15.5.17: a 416 names the current length, `Content-Range: bytes *\/<size>`. */
  private async setUnsatisfiedRange(response: Response, bucket: string, key: string) {
    const info = await this.storage.getBucketFile(bucket, key).catch(() => undefined);
    if (info) response.setHeader('Content-Range', `bytes */${info.size}`);
  }
}
