import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  Req,
  type Type,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { toHttpError } from './browser-uploads.http-errors';
import {
  BROWSER_UPLOADS_OPTIONS,
  BROWSER_UPLOADS_STORAGE,
  type AnnouncedFile,
  type BrowserUploadAction,
  type BrowserUploadOptionsResolved,
  type BrowserUploadStorage,
} from './browser-uploads.options';

/** A part as Uppy names it. */
interface UppyPart {
  PartNumber: number;
  ETag: string;
  Size?: number;
}

/** The body of `POST /multipart`, as Uppy's S3 plugin sends it. */
interface CreateBody {
  filename?: unknown;
  type?: unknown;
  metadata?: unknown;
}

/** The largest single upload (one PUT or POST). */
const MAX_SINGLE_UPLOAD = 5 * 1024 * 1024 * 1024;

function text(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    throw new HttpException(`${name} must be a string`, HttpStatus.BAD_REQUEST);
  }
  return value;
}

function announcedFile(body: CreateBody | Record<string, unknown>): AnnouncedFile {
  const metadata: Record<string, string> = {};
  const given = body.metadata;
  if (given !== undefined && given !== null && typeof given === 'object') {
    for (const [name, value] of Object.entries(given)) {
      if (typeof value === 'string') metadata[name] = value;
    }
  }
  return {
    filename: text(body.filename, 'filename'),
    type:
      typeof body.type === 'string' && body.type !== '' ? body.type : 'application/octet-stream',
    metadata,
  };
}

/**
 * Builds the controller of `BrowserUploadsModule` under `path`: the endpoints that Uppy's
 * `@uppy/aws-s3` plugin calls when its `endpoint` option is the app's URL (the protocol of
 * Uppy's Companion), so that browsers send the bytes straight to storage while the app decides
 * who may upload what, and where.
 * @internal
 */
export function createBrowserUploadsController(path: string): Type<unknown> {
  @Controller(path)
  class BrowserUploadsController {
    constructor(
      @Inject(BROWSER_UPLOADS_OPTIONS) private readonly options: BrowserUploadOptionsResolved,
      @Inject(BROWSER_UPLOADS_STORAGE) private readonly storage: BrowserUploadStorage,
    ) {}

    /** Uppy's `getUploadParameters`: a presigned POST for one file, within the size limit. */
    @Get('params')
    async params(@Req() request: unknown, @Query() query: Record<string, unknown>) {
      const { file, key } = await this.newUpload(request, 'params', {
        ...query,
        metadata: undefined,
      });
      const post = await this.run(() =>
        this.storage.createPresignedPost(this.options.bucket, {
          key,
          contentType: file.type,
          contentLengthRange: { max: Math.min(this.options.maxFileSize, MAX_SINGLE_UPLOAD) },
          expiresIn: this.options.expiresIn,
        }),
      );
      return { method: 'POST', url: post.url, fields: post.fields, headers: {} };
    }

    /** Uppy's `createMultipartUpload`. */
    @Post('multipart')
    async create(@Req() request: unknown, @Body() body: CreateBody) {
      const { file, key } = await this.newUpload(request, 'create', body);
      const { uploadId } = await this.run(() =>
        this.storage.createMultipartUpload(this.options.bucket, key, {
          contentType: file.type,
        }),
      );
      return { key, uploadId };
    }

    /** The older batch signing (`prepareUploadParts`): `?key=&partNumbers=1,2,3`. */
    @Get('multipart/:uploadId/batch')
    async signBatch(
      @Req() request: unknown,
      @Param('uploadId') uploadId: string,
      @Query('key') key: unknown,
      @Query('partNumbers') partNumbers: unknown,
    ) {
      const numbers = text(partNumbers, 'partNumbers').split(',').map(Number);
      const objectKey = text(key, 'key');
      await this.authorize(request, {
        kind: 'sign',
        key: objectKey,
        uploadId,
        partNumbers: numbers,
      });
      const presignedUrls = await this.run(() =>
        this.storage.signUploadParts(this.options.bucket, objectKey, uploadId, numbers, {
          expiresIn: this.options.expiresIn,
        }),
      );
      return { presignedUrls, headers: {} };
    }

    /** Uppy's `signPart`: one part's URL. */
    @Get('multipart/:uploadId/:partNumber')
    async signOne(
      @Req() request: unknown,
      @Param('uploadId') uploadId: string,
      @Param('partNumber') partNumber: string,
      @Query('key') key: unknown,
    ) {
      const objectKey = text(key, 'key');
      const number = Number(partNumber);
      await this.authorize(request, {
        kind: 'sign',
        key: objectKey,
        uploadId,
        partNumbers: [number],
      });
      const url = await this.run(() =>
        this.storage.signUploadPart(this.options.bucket, objectKey, uploadId, number, {
          expiresIn: this.options.expiresIn,
        }),
      );
      return { url, expires: this.options.expiresIn };
    }

    /** Uppy's `listParts`, to resume an upload. */
    @Get('multipart/:uploadId')
    async list(
      @Req() request: unknown,
      @Param('uploadId') uploadId: string,
      @Query('key') key: unknown,
    ): Promise<UppyPart[]> {
      const objectKey = text(key, 'key');
      await this.authorize(request, { kind: 'list', key: objectKey, uploadId });
      const parts = await this.run(() =>
        this.storage.listUploadParts(this.options.bucket, objectKey, uploadId),
      );
      return parts.map((part) => ({
        PartNumber: part.partNumber,
        Size: part.size,
        ETag: part.etag,
      }));
    }

    /**
     * Uppy's `completeMultipartUpload`. An upload whose parts add up to more than `maxFileSize`
     * is aborted instead (413): the browser chose the part sizes, so they are checked here.
     */
    @Post('multipart/:uploadId/complete')
    @HttpCode(HttpStatus.OK)
    async complete(
      @Req() request: unknown,
      @Param('uploadId') uploadId: string,
      @Query('key') key: unknown,
      @Body() body: { parts?: unknown },
    ) {
      const objectKey = text(key, 'key');
      await this.authorize(request, { kind: 'complete', key: objectKey, uploadId });
      const { bucket, maxFileSize } = this.options;
      if (Number.isFinite(maxFileSize)) {
        const held = await this.run(() =>
          this.storage.listUploadParts(bucket, objectKey, uploadId),
        );
        const total = held.reduce((sum, part) => sum + part.size, 0);
        if (total > maxFileSize) {
          await this.run(() => this.storage.abortMultipartUpload(bucket, objectKey, uploadId));
          throw new HttpException(
            `the file has ${total} bytes, more than the ${maxFileSize} allowed`,
            HttpStatus.PAYLOAD_TOO_LARGE,
          );
        }
      }
      const parts = Array.isArray(body.parts) ? (body.parts as Partial<UppyPart>[]) : [];
      await this.run(() =>
        this.storage.completeMultipartUpload(
          bucket,
          objectKey,
          uploadId,
          parts.map((part) => ({
            partNumber: Number(part.PartNumber),
            etag: typeof part.ETag === 'string' ? part.ETag : '',
          })),
        ),
      );
      return { key: objectKey, location: `/${bucket}/${objectKey}` };
    }

    /** Uppy's `abortMultipartUpload`. */
    @Delete('multipart/:uploadId')
    async abort(
      @Req() request: unknown,
      @Param('uploadId') uploadId: string,
      @Query('key') key: unknown,
    ) {
      const objectKey = text(key, 'key');
      await this.authorize(request, { kind: 'abort', key: objectKey, uploadId });
      await this.run(() =>
        this.storage.abortMultipartUpload(this.options.bucket, objectKey, uploadId),
      );
      return {};
    }

    /** The file a new upload announces, the key chosen for it, once `authorize` allowed both. */
    private async newUpload(
      request: unknown,
      kind: 'params' | 'create',
      body: CreateBody | Record<string, unknown>,
    ): Promise<{ file: AnnouncedFile; key: string }> {
      const file = announcedFile(body);
      const key = await this.options.key(request, file);
      await this.authorize(request, { kind, key, filename: file.filename, type: file.type });
      return { file, key };
    }

    private async authorize(request: unknown, action: BrowserUploadAction): Promise<void> {
      if (!(await this.options.authorize(request, action))) {
        throw new ForbiddenException(`not allowed to ${action.kind} this upload`);
      }
    }

    private async run<T>(work: () => Promise<T>): Promise<T> {
      try {
        return await work();
      } catch (error) {
        throw toHttpError(error);
      }
    }
  }
  return BrowserUploadsController;
}

/** The default key: a random UUID under `uploads/`, with the file's extension. @internal */
export function randomUploadKey(_request: unknown, file: AnnouncedFile): string {
  const extension = extname(file.filename).toLowerCase();
  return `uploads/${randomUUID()}${/^\.[a-z0-9]{1,10}$/.test(extension) ? extension : ''}`;
}
