import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import {
  BucketService,
  type BrowserUploadStorage,
  type CompletedUploadPart,
  type CreateMultipartUploadOptions,
  type PresignedPostOptions,
  type SignUploadPartOptions,
} from 'nest-bucket';
import { DEMO_CONFIG, type DemoConfig } from '../demo.config';
import { UploadsBucket } from './uploads-bucket';

/**
 * The name `BrowserUploadsModule` is given as its bucket. Its options are plain values, fixed when
 * `AppModule` is imported, before the demo's settings can be read; so the module is given this
 * label, and {@link DirectUploadStorage} stores into the bucket of `DEMO_UPLOADS_BUCKET`.
 */
export const DIRECT_UPLOADS_BUCKET_LABEL = 'demo-direct-uploads';

/**
 * What `BrowserUploadsModule` calls, over the demo's `BucketService`: every call goes to the
 * uploads bucket (prepared first: created, with its CORS rule), and the size limit is the demo's
 * `DEMO_MAX_UPLOAD_BYTES`, read at run time. A presigned POST's policy carries it (storage
 * refuses more); a multipart upload whose parts add up to more is aborted at completion (413).
 */
@Injectable()
export class DirectUploadStorage implements BrowserUploadStorage {
  constructor(
    private readonly storage: BucketService,
    private readonly bucket: UploadsBucket,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  async createPresignedPost(_bucket: string, options: PresignedPostOptions) {
    await this.bucket.prepare();
    const max = Math.min(options.contentLengthRange?.max ?? Infinity, this.config.maxUploadBytes);
    return this.storage.createPresignedPost(this.bucket.name, {
      ...options,
      contentLengthRange: { ...options.contentLengthRange, max },
    });
  }

  async createMultipartUpload(
    _bucket: string,
    key: string,
    options?: CreateMultipartUploadOptions,
  ) {
    await this.bucket.prepare();
    return this.storage.createMultipartUpload(this.bucket.name, key, options);
  }

  signUploadPart(
    _bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    options?: SignUploadPartOptions,
  ) {
    return this.storage.signUploadPart(this.bucket.name, key, uploadId, partNumber, options);
  }

  signUploadParts(
    _bucket: string,
    key: string,
    uploadId: string,
    partNumbers: number[],
    options?: SignUploadPartOptions,
  ) {
    return this.storage.signUploadParts(this.bucket.name, key, uploadId, partNumbers, options);
  }

  listUploadParts(_bucket: string, key: string, uploadId: string) {
    return this.storage.listUploadParts(this.bucket.name, key, uploadId);
  }

  abortMultipartUpload(_bucket: string, key: string, uploadId: string) {
    return this.storage.abortMultipartUpload(this.bucket.name, key, uploadId);
  }

  /** Completes the upload, unless its parts add up to more than the limit: then aborts it, 413. */
  async completeMultipartUpload(
    _bucket: string,
    key: string,
    uploadId: string,
    parts: CompletedUploadPart[],
  ) {
    const limit = this.config.maxUploadBytes;
    const held = await this.storage.listUploadParts(this.bucket.name, key, uploadId);
    const total = held.reduce((sum, part) => sum + part.size, 0);
    if (total > limit) {
      await this.storage.abortMultipartUpload(this.bucket.name, key, uploadId);
      throw new HttpException(
        `The file has ${total} bytes, more than the ${limit} allowed (DEMO_MAX_UPLOAD_BYTES).`,
        HttpStatus.PAYLOAD_TOO_LARGE,
      );
    }
    return this.storage.completeMultipartUpload(this.bucket.name, key, uploadId, parts);
  }
}
